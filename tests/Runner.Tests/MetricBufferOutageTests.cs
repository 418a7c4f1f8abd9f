using System.Collections.Concurrent;
using Core.Config;
using Core.Store;
using Runner.Training;
using TestSupport;

namespace Runner.Tests;

/// <summary>
/// The Runner's metric buffer while its database is away (a PostgreSQL server of the test's own,
/// stopped): training goes on, the rows wait in the buffer and are written once the database
/// answers; once another owner holds the trial, nothing more is written.
/// </summary>
[Trait("Needs", "PostgreSQL")]
public sealed class MetricBufferOutageTests
{
    [Fact]
    public void While_the_database_is_away_rows_are_kept_and_training_goes_on_and_they_are_written_when_it_is_back()
    {
        using var pg = PrivatePostgres.Start();
        var db = Database.Open(pg.CreateDatabase("buffer"));
        var (trials, results) = (new TrialRepository(db), new ResultRepository(db));
        var config = new TrialConfig();
        var id = config.Id();
        trials.Ensure(id, config.ToCanonicalJson());
        Assert.NotNull(trials.ClaimTrial(id, "me", TimeSpan.FromMinutes(1)));
        var warnings = new ConcurrentQueue<string>();
        var buffer = new MetricBuffer(results, id, TimeSpan.Zero, "me", warnings.Enqueue);

        buffer.Add(MetricNames.TrainLoss, 2, null, 3.5);
        buffer.FlushIfDue(0, 2);
        pg.Stop();
        buffer.Add(MetricNames.TrainLoss, 4, null, 3.2);
        buffer.FlushIfDue(0, 4); // returns at once: the step after it trains
        buffer.Add(MetricNames.TrainLoss, 6, null, 3.0);
        buffer.FlushIfDue(0, 6);

        Assert.Equal(2, buffer.Count);
        Assert.Contains(warnings, w => w.StartsWith("the database does not answer", StringComparison.Ordinal) && w.Contains("training goes on", StringComparison.Ordinal));
        pg.StartServer();
        buffer.FlushIfDue(0, 6);

        Assert.Equal(0, buffer.Count);
        Assert.Contains("the database answers again; 2 buffered metric rows written", warnings);
        Assert.Equal([2L, 4L, 6L], results.Metrics(id).Select(m => m.Step));
        Assert.Equal(6, trials.Get(id)!.Step);
    }

    [Fact]
    public void A_buffer_whose_trial_another_owner_took_writes_nothing_and_ends_the_run()
    {
        using var pg = PrivatePostgres.Start();
        var db = Database.Open(pg.CreateDatabase("fenced"));
        var (trials, results) = (new TrialRepository(db), new ResultRepository(db));
        var config = new TrialConfig();
        var id = config.Id();
        trials.Ensure(id, config.ToCanonicalJson());
        Assert.NotNull(trials.ClaimTrial(id, "me", TimeSpan.FromMinutes(1)));
        var buffer = new MetricBuffer(results, id, TimeSpan.Zero, "me");
        buffer.Add(MetricNames.TrainLoss, 2, null, 3.5);
        pg.Stop();
        buffer.FlushIfDue(0, 2); // kept
        pg.StartServer();
        // Meanwhile its lease ran out and another owner took the trial.
        Assert.True(trials.Release(id, "me", null, "lease expired"));
        Assert.NotNull(trials.ClaimTrial(id, "other", TimeSpan.FromMinutes(1)));

        Assert.Throws<LeaseLostException>(() => buffer.Flush(0, 2));
        Assert.Empty(results.Metrics(id));
    }
}
