using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>
/// The key guarantee: on the CPU, with the same seed and threads, a trial killed mid-epoch and
/// started again ends with exactly the records of an uninterrupted run.
/// </summary>
[Collection(RunnerProcesses.Name)]
public sealed class ResumeTests(ReferenceRun reference) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private readonly TempDir _dir = new("runner-resume");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Killed_with_sigkill_mid_epoch_2_then_restarted_gives_bit_identical_metrics_and_no_duplicates()
    {
        ReferenceRun.Prepare(_dir.Path);
        var db = _dir.File("results/o.db");
        long ckpt1Step;
        using (var b = RunnerCli.Start(_dir.Path, ReferenceRun.TrainArgs()))
        {
            ckpt1Step = b.WaitForEvent(e => Is(e, "checkpoint") && e.GetProperty("name").GetString() == "ckpt_1", Wait).GetProperty("step").GetInt64();
            b.WaitForEvent(e => Is(e, "step") && e.GetProperty("epoch").GetInt32() == 2 && e.GetProperty("step").GetInt64() >= ckpt1Step + 30, Wait);
            b.KillHard();
            Assert.Equal(137, b.WaitForExit(Wait).ExitCode);
        }

        // What the killed process left: ckpt_1, epoch-2 losses past it, no ckpt_2, the trial still running under a lease.
        var trials = new TrialRepository(Database.Open(db));
        var results = new ResultRepository(Database.Open(db));
        var trial = trials.Get(reference.TrialId)!;
        Assert.Equal(TrialStates.Running, trial.State);
        Assert.Equal(["ckpt_1"], results.Checkpoints(reference.TrialId).Select(c => c.Name));
        Assert.Contains(results.Metrics(reference.TrialId, MetricNames.TrainLoss), m => m.Step > ckpt1Step);

        WaitUntilLeaseExpires(trials, reference.TrialId);
        var restart = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());
        Assert.True(restart.ExitCode == 0, restart.ToString());
        var start = RunnerCli.Progress(restart.StdOut).First(e => Is(e, "start"));
        Assert.Equal(ckpt1Step, start.GetProperty("resumed_step").GetInt64());
        Assert.Contains("resuming trial", restart.StdErr);

        Assert.Equal(ReferenceRun.EpochMetrics(reference.DbPath, reference.TrialId), ReferenceRun.EpochMetrics(db, reference.TrialId));
        Assert.Equal(ReferenceRun.TrainLoss(reference.DbPath, reference.TrialId), ReferenceRun.TrainLoss(db, reference.TrialId));
        Assert.Equal(0, StoreDump.Scalar(db, "SELECT COUNT(*) FROM (SELECT trial_id, name, step, COUNT(*) FROM metrics GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)"));
        Assert.Equal(ProbesOf(reference.DbPath, reference.TrialId), ProbesOf(db, reference.TrialId));
        Assert.Equal(SampleOf(reference.DbPath, reference.TrialId), SampleOf(db, reference.TrialId));

        var attempts = trials.Attempts(reference.TrialId);
        Assert.Equal(["abandoned", "completed"], attempts.Select(a => a.Outcome));
        Assert.Equal(TrialStates.Completed, trials.Get(reference.TrialId)!.State);
    }

    [Fact]
    public void Sigterm_writes_a_step_checkpoint_releases_the_trial_and_resuming_from_it_matches_the_uninterrupted_run()
    {
        ReferenceRun.Prepare(_dir.Path);
        var db = _dir.File("results/o.db");
        ProcessResult stopped;
        using (var b = RunnerCli.Start(_dir.Path, ReferenceRun.TrainArgs()))
        {
            b.WaitForEvent(e => Is(e, "step") && e.GetProperty("epoch").GetInt32() == 2, Wait);
            b.SendSignal(RunningRunner.SIGTERM);
            stopped = b.WaitForExit(Wait);
        }
        Assert.True(stopped.ExitCode == 4, stopped.ToString());
        var checkpoint = RunnerCli.Progress(stopped.StdOut).Last(e => Is(e, "checkpoint"));
        var name = checkpoint.GetProperty("name").GetString()!;
        Assert.StartsWith("step_", name);
        var trials = new TrialRepository(Database.Open(db));
        Assert.Equal(TrialStates.Pending, trials.Get(reference.TrialId)!.State);
        Assert.Equal("interrupted", trials.Attempts(reference.TrialId).Single().Outcome);

        var resumed = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(checkpoint.GetProperty("step").GetInt64(), RunnerCli.Progress(resumed.StdOut).First(e => Is(e, "start")).GetProperty("resumed_step").GetInt64());
        Assert.Equal(ReferenceRun.EpochMetrics(reference.DbPath, reference.TrialId), ReferenceRun.EpochMetrics(db, reference.TrialId));
        Assert.Equal(ReferenceRun.TrainLoss(reference.DbPath, reference.TrialId), ReferenceRun.TrainLoss(db, reference.TrialId));
        Assert.Equal(SampleOf(reference.DbPath, reference.TrialId), SampleOf(db, reference.TrialId));
    }

    [Fact]
    public void An_altered_newest_checkpoint_is_skipped_with_a_warning_and_training_resumes_from_the_one_before()
    {
        ReferenceRun.Prepare(_dir.Path);
        var db = _dir.File("results/o.db");
        using (var b = RunnerCli.Start(_dir.Path, ReferenceRun.TrainArgs()))
        {
            b.WaitForEvent(e => Is(e, "step") && e.GetProperty("epoch").GetInt32() == 2, Wait);
            b.SendSignal(RunningRunner.SIGTERM);
            Assert.Equal(4, b.WaitForExit(Wait).ExitCode);
        }
        var results = new ResultRepository(Database.Open(db));
        var newest = results.Checkpoints(reference.TrialId).First();
        var ckpt1 = results.Checkpoints(reference.TrialId).Single(c => c.Name == "ckpt_1");
        Assert.StartsWith("step_", newest.Name);
        var path = Path.Combine(_dir.File("results"), newest.Path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A; // same length, one byte altered
        File.WriteAllBytes(path, bytes);

        var resumed = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"skipping checkpoint {newest.Name} of trial {reference.TrialId} cannot be used", resumed.StdErr);
        Assert.Contains("truncated or altered", resumed.StdErr);
        Assert.Equal(ckpt1.Step, RunnerCli.Progress(resumed.StdOut).First(e => Is(e, "start")).GetProperty("resumed_step").GetInt64());
        Assert.Equal(ReferenceRun.EpochMetrics(reference.DbPath, reference.TrialId), ReferenceRun.EpochMetrics(db, reference.TrialId));
    }

    [Fact]
    public void A_stacked_model_with_dropout_resumed_mid_epoch_restores_the_RNG_and_matches_an_uninterrupted_run()
    {
        var stacked = new TinyTrial { Layers = 2, Dropout = 0.5, Epochs = 2, MaxSteps = 40, LogEvery = 5 };
        ReferenceRun.Prepare(_dir.Path, stacked);
        var uninterrupted = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());
        var idA = RunnerCli.Progress(uninterrupted.StdOut)[0].GetProperty("trial").GetString()!;

        // The same training with a checkpoint every 15 steps (checkpoints do not touch the math or the RNG).
        using var other = new TempDir("runner-resume-b");
        ReferenceRun.Prepare(other.Path, stacked with { CheckpointEvery = 15 });
        var full = RunnerCli.Run(other.Path, ReferenceRun.TrainArgs());
        Assert.True(full.ExitCode == 0, full.ToString());
        var idB = RunnerCli.Progress(full.StdOut)[0].GetProperty("trial").GetString()!;
        var dbB = other.File("results/o.db");
        Assert.Equal(ReferenceRun.EpochMetrics(_dir.File("results/o.db"), idA).Select(m => m.Item4), ReferenceRun.EpochMetrics(dbB, idB).Select(m => m.Item4));

        // As if the process had died right after step_15: later checkpoint files gone, the trial not finished.
        var results = new ResultRepository(Database.Open(dbB));
        Assert.Equal(["ckpt_2", "step_75", "step_60", "step_45", "ckpt_1", "step_30", "step_15"], results.Checkpoints(idB).Select(c => c.Name));
        Assert.Equal(7, results.Probes(idB).Count);
        foreach (var c in results.Checkpoints(idB).Where(c => c.Step > 15)) File.Delete(Path.Combine(other.File("results"), c.Path));
        using (var c = new SqliteConnection($"Data Source={dbB}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"UPDATE trials SET state = 'pending', owner = NULL WHERE trial_id = '{idB}'";
            cmd.ExecuteNonQuery();
        }

        var resumed = RunnerCli.Run(other.Path, ReferenceRun.TrainArgs());

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(15, RunnerCli.Progress(resumed.StdOut).First(e => Is(e, "start")).GetProperty("resumed_step").GetInt64());
        Assert.Contains("skipping checkpoint ckpt_2", resumed.StdErr);
        Assert.Equal(ReferenceRun.EpochMetrics(_dir.File("results/o.db"), idA).Select(m => m.Item4), ReferenceRun.EpochMetrics(dbB, idB).Select(m => m.Item4));
        Assert.Equal(ReferenceRun.TrainLoss(_dir.File("results/o.db"), idA), ReferenceRun.TrainLoss(dbB, idB));
        Assert.Equal(SampleOf(_dir.File("results/o.db"), idA), SampleOf(dbB, idB));
    }

    private static bool Is(System.Text.Json.JsonElement e, string kind) => e.GetProperty("event").GetString() == kind;

    private static void WaitUntilLeaseExpires(TrialRepository trials, string trialId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (trials.Get(trialId)!.LeaseUntil > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the killed runner's lease never expired");
            Thread.Sleep(200);
        }
    }

    private static IEnumerable<string> ProbesOf(string db, string trialId) =>
        new ResultRepository(Database.Open(db)).Probes(trialId).Select(p => $"{p.Checkpoint} {p.Step} {p.Epoch} {p.Predicted} {p.TopJson}");

    private static string SampleOf(string db, string trialId) => new ResultRepository(Database.Open(db)).Samples(trialId).Single().Text;
}
