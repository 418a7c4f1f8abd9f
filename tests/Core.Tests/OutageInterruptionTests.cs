using Core.Config;
using Core.Data;
using Core.Store;
using TestSupport;

namespace Core.Tests;

/// <summary>
/// The note a Runner leaves when the database stayed away past the outage window
/// (<see cref="OutageInterruption"/>), handed to the store once it answers: the trial goes back to
/// pending at once with the checkpoint saved during the outage recorded, but only while the note's
/// owner still holds the trial at the note's attempt (fencing). On SQLite here; the SQL is the same on
/// PostgreSQL, where the past-window test drives it through the CLI (DatabaseOutageTests).
/// </summary>
public sealed class OutageInterruptionTests : IDisposable
{
    private readonly TestStore _store = TestStore.Create(Backend.Sqlite, "outage-note");
    private readonly Database _db;
    private readonly TrialRepository _trials;
    private readonly ResultRepository _results;
    private readonly string _id;

    public OutageInterruptionTests()
    {
        _db = _store.Open();
        (_trials, _results) = (new TrialRepository(_db), new ResultRepository(_db));
        var config = new TrialConfig();
        _id = config.Id();
        _trials.Ensure(_id, config.ToCanonicalJson());
        Assert.NotNull(_trials.ClaimTrial(_id, "gone", TimeSpan.FromMinutes(5)));
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public void The_trial_goes_back_to_pending_at_once_with_the_checkpoint_saved_during_the_outage_recorded()
    {
        LeaveNote("gone", attempt: 1);

        Assert.Equal([_id], OutageInterruption.ReleaseAll(_db, [_id]));

        var trial = _trials.Get(_id)!;
        Assert.Equal((TrialStates.Pending, (string?)null, 0, 4L), (trial.State, trial.Owner, trial.Epoch, trial.Step));
        var attempt = Assert.Single(_trials.Attempts(_id));
        Assert.Equal("interrupted", attempt.Outcome); // not failed, not abandoned
        Assert.Equal("interrupted by a database outage: test; step_4 was saved during it", attempt.Reason);
        Assert.Equal([2L, 4L], _results.Metrics(_id).Select(m => m.Step));
        Assert.Equal("step_4", Assert.Single(_results.Checkpoints(_id)).Name);
        Assert.Equal("step_4", Assert.Single(_results.Probes(_id)).Checkpoint);
        Assert.False(File.Exists(OutageInterruption.PathFor(_db, _id)));
        Assert.Equal(2, _trials.ClaimTrial(_id, "next", TimeSpan.FromMinutes(5))!.Attempt); // claimable now, lease or not
    }

    [Fact]
    public void A_note_of_an_owner_that_no_longer_holds_the_trial_records_nothing_and_is_removed()
    {
        // The lease ran out meanwhile and another owner took the trial.
        Assert.True(_trials.Release(_id, "gone", null, "lease expired"));
        Assert.NotNull(_trials.ClaimTrial(_id, "other", TimeSpan.FromMinutes(5)));
        LeaveNote("gone", attempt: 1);

        Assert.Empty(OutageInterruption.ReleaseAll(_db, [_id]));

        var trial = _trials.Get(_id)!;
        Assert.Equal((TrialStates.Running, "other"), (trial.State, trial.Owner));
        Assert.Empty(_results.Metrics(_id));
        Assert.Empty(_results.Checkpoints(_id));
        Assert.False(File.Exists(OutageInterruption.PathFor(_db, _id)));

        // The same owner at another attempt does not hold the attempt the note speaks of either.
        LeaveNote("other", attempt: 1);
        Assert.Empty(OutageInterruption.ReleaseAll(_db, [_id]));
        Assert.Equal(TrialStates.Running, _trials.Get(_id)!.State);
    }

    [Fact]
    public void A_checkpoint_whose_file_does_not_match_the_note_is_not_recorded_but_the_trial_is_still_released()
    {
        LeaveNote("gone", attempt: 1);
        File.AppendAllText(_db.Resolve($"checkpoints/{_id}/step_4.ckpt"), "changed");

        Assert.Equal([_id], OutageInterruption.ReleaseAll(_db, [_id]));

        Assert.Equal(TrialStates.Pending, _trials.Get(_id)!.State);
        Assert.Empty(_results.Checkpoints(_id));
        Assert.Empty(_results.Metrics(_id)); // metrics past the last recorded checkpoint would be forgotten on resume anyway
    }

    /// <summary>What a Runner leaves: a checkpoint file at step 4, its probe and the metric rows of steps 2 and 4.</summary>
    private void LeaveNote(string owner, int attempt)
    {
        var path = _db.Resolve($"checkpoints/{_id}/step_4.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "weights");
        var checkpoint = new CheckpointRow
        {
            TrialId = _id, Name = "step_4", Epoch = 0, Step = 4, Path = _db.Relativize(path), Sha256 = FileHash.Sha256(path),
            Bytes = new FileInfo(path).Length, CreatedAt = Timestamps.Now(),
        };
        var probe = new ProbeRow { TrialId = _id, Checkpoint = "step_4", Input = "ab", Step = 4, Predicted = "c" };
        MetricRow[] metrics = [new(_id, MetricNames.TrainLoss, 2, null, 3.5, 1), new(_id, MetricNames.TrainLoss, 4, null, 3.1, 2)];
        new OutageInterruption(_id, owner, attempt, "interrupted by a database outage: test; step_4 was saved during it", 0, 4, checkpoint, probe, metrics).Write(_db);
    }
}
