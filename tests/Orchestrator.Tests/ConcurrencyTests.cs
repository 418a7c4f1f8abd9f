using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Two orchestrators on one database and spec at once, on each engine: every trial is run by exactly
/// one of them. On PostgreSQL the database is fresh, so both also race to create its schema.
/// </summary>
[Collection("sweeps")]
public sealed partial class ConcurrencyTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Two_orchestrators_on_the_same_database_never_run_the_same_trial(Backend backend)
    {
        using var db = TestStore.Create(backend, "two-runs");
        var dir = db.Dir;
        var spec = TinySweep.Write(dir, "shared", ["model.cell: [gru, lstm]", "model.hidden: [16, 24, 32]"], maxSteps: 30, parallel: 1);
        var store = new StoreProbe(db);

        using var a = OrchestratorCli.Start(dir.Path, null, ["run", spec, .. db.DbOption]);
        using var b = OrchestratorCli.Start(dir.Path, null, ["run", spec, .. db.DbOption]);
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(3)) == 0, a.Output);
        Assert.True(b.WaitForExit(TimeSpan.FromMinutes(3)) == 0, b.Output);

        var trials = store.Trials("shared");
        Assert.Equal(6, trials.Count);
        foreach (var t in trials)
        {
            Assert.Equal(TrialStates.Completed, t.State);
            var attempts = store.Attempts(t.TrialId);
            Assert.Single(attempts);
            Assert.Equal("completed", attempts[0].Outcome);
        }
        var claimedByA = Claimed(a.StdOut);
        var claimedByB = Claimed(b.StdOut);
        Assert.Empty(claimedByA.Intersect(claimedByB));
        Assert.Equal(trials.Select(t => t.TrialId).Order(), claimedByA.Concat(claimedByB).Order());
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Fact]
    public void An_orchestrator_stopped_past_its_lease_says_its_trial_was_taken_over_and_does_not_count_it_as_its_own()
    {
        using var db = TestStore.Create(Backend.Sqlite, "taken-over");
        var dir = db.Dir;
        var spec = TinySweep.Write(dir, "takeover", ["model.cell: [gru]"], epochs: 1, maxSteps: 0, checkpointEvery: 5, hidden: 64, parallel: 1, leaseSeconds: 3);
        var store = new StoreProbe(db);
        using var a = OrchestratorCli.StartInOwnGroup(dir.Path, null, ["run", spec, "--plain", .. db.DbOption]);
        a.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("takeover") is not null, TimeSpan.FromMinutes(2), "a running trial with a checkpoint");
        var trial = store.Trials("takeover").Single().TrialId;

        // SIGSTOP to the orchestrator and its Runner (a laptop lid closed, a VM paused): nobody renews the lease.
        OrchestratorCli.Signal(-a.Pid, "STOP");
        ProcessResult b;
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (store.Trials("takeover").Single().LeaseUntil is { } until && until > StoreProbe.UnixNow() && DateTime.UtcNow < deadline) Thread.Sleep(100);
            // Another orchestrator reclaims the expired lease and completes the trial from the stopped one's checkpoint.
            b = OrchestratorCli.Run(dir.Path, ["run", spec, "--plain", .. db.DbOption]);
        }
        finally
        {
            OrchestratorCli.Signal(-a.Pid, "CONT");
        }
        Assert.True(b.ExitCode == 0, b.ToString());
        Assert.Matches($@"{trial} gru: completed", b.StdOut);
        var attempts = store.Attempts(trial);
        var taker = attempts[^1].Owner;
        Assert.Equal("completed", attempts[^1].Outcome);

        // Woken up, the first one says the trial was taken over, by whom, and does not call it its own completion.
        var code = a.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.True(code == 0, a.Output);
        Assert.Matches($@"{trial} gru: lease lost: taken over by owner {Regex.Escape(taker!)} \(host [^)]+\), which completed it; not counted as this run's", a.StdOut);
        Assert.DoesNotMatch($@"{trial} gru: completed", a.StdOut);
        Assert.Contains("sweep takeover: 1 completed, 0 failed, 0 pending, 0 running (of 1)", a.StdOut);
        Assert.Equal(TrialStates.Completed, store.Trials("takeover").Single().State);
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    private static List<string> Claimed(string stdout) =>
        ClaimedLine().Matches(stdout).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"\] ([0-9a-f]{12}) [^\n]*: claimed")]
    private static partial Regex ClaimedLine();
}
