using System.Collections.Concurrent;
using Core.Config;
using Core.Store;
using TestSupport;

namespace Core.Tests;

public sealed class SqliteLeaseHeartbeatTests() : LeaseHeartbeatTests(Backend.Sqlite);

[Trait("Needs", "PostgreSQL")]
public sealed class PostgresLeaseHeartbeatTests() : LeaseHeartbeatTests(Backend.Postgres);

/// <summary>The one heartbeat both sides run, on each engine: it notices a lost lease, and not one its holder gave up itself.</summary>
public abstract class LeaseHeartbeatTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(0.3);
    private readonly TestStore _store;
    private readonly TrialRepository _trials;
    private readonly string _id;

    protected LeaseHeartbeatTests(Backend backend)
    {
        _store = TestStore.Create(backend, "heartbeat");
        _trials = new TrialRepository(_store.Open());
        var config = new TrialConfig();
        _id = config.Id();
        _trials.Ensure(_id, config.ToCanonicalJson());
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_lease_taken_by_another_owner_is_reported_lost()
    {
        // The trial changes hands before the first beat: a beat between the release and the other's claim
        // would find it pending (not taken), which is another message; that race made this test flaky.
        Assert.NotNull(_trials.ClaimTrial(_id, "me", Lease));
        Assert.True(_trials.Release(_id, "me", null, "taken away"));
        Assert.NotNull(_trials.ClaimTrial(_id, "other", TimeSpan.FromMinutes(1)));
        var warnings = new ConcurrentQueue<string>();
        using var heartbeat = new LeaseHeartbeat(_trials, _id, "me", Lease, warnings.Enqueue);

        Assert.True(heartbeat.Lost.WaitHandle.WaitOne(TimeSpan.FromMinutes(1)), "the heartbeat never noticed");
        Assert.Contains($"lease lost: trial {_id} is now running under owner other, not me", warnings);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_trial_its_partner_ended_stops_the_beat_and_only_the_orchestrator_side_stays_quiet(bool quietWhenEnded)
    {
        // The orchestrator and its Runner beat with one owner token; the Runner completes the trial
        // while the orchestrator's beat still runs. That is the normal end, not a lost lease.
        Assert.NotNull(_trials.ClaimTrial(_id, "me", Lease));
        var warnings = new ConcurrentQueue<string>();
        using var heartbeat = new LeaseHeartbeat(_trials, _id, "me", Lease, warnings.Enqueue, quietWhenEnded);

        Assert.True(_trials.Complete(_id, "me"));

        Assert.True(heartbeat.Lost.WaitHandle.WaitOne(TimeSpan.FromMinutes(1)), "the heartbeat never noticed");
        if (quietWhenEnded) Assert.Empty(warnings);
        else Assert.Equal([$"lease lost: trial {_id} is no longer running under owner me (it is completed)"], warnings);
    }

    [Fact]
    public void A_holder_that_stops_the_heartbeat_and_then_ends_the_trial_is_not_told_it_lost_it()
    {
        Assert.NotNull(_trials.ClaimTrial(_id, "me", Lease));
        var warnings = new ConcurrentQueue<string>();
        var heartbeat = new LeaseHeartbeat(_trials, _id, "me", Lease, warnings.Enqueue);

        heartbeat.Stop();
        Assert.True(_trials.Complete(_id, "me"));
        Thread.Sleep(Lease); // a beat would be due now, had the heartbeat not stopped
        heartbeat.Dispose();

        Assert.Empty(warnings);
        Assert.Equal(TrialStates.Completed, _trials.Get(_id)!.State);
    }
}
