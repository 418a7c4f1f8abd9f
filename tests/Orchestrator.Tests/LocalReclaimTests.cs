using Core.Contract;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The local dead-owner check with real processes and an hour-long lease, so a rerun can only
/// finish if it took the trials at once: after kill -9 of `run` and its Runners they are
/// reclaimed at once (on SQLite and on PostgreSQL), resume from their checkpoints, and record no
/// metric twice; after kill -9 of `run` alone, a rerun leaves the trial to its live Runner, which
/// lets go of it as soon as it runs and finds its owner gone (OrphanedRunnerTests has the rest).
/// </summary>
[Collection("sweeps")]
public sealed class LocalReclaimTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private static string HourLeaseSweep(TempDir dir, string name, string[] grid, int parallel) =>
        TinySweep.Write(dir, name, grid, epochs: 4, maxSteps: 0, checkpointEvery: 10, parallel: parallel, leaseSeconds: 3600);

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void After_kill_9_of_the_process_group_a_rerun_reclaims_the_trials_at_once_despite_an_hour_long_lease(Backend backend)
    {
        using var db = TestStore.Create(backend, "reclaim");
        var dir = db.Dir;
        var spec = HourLeaseSweep(dir, "group", ["model.cell: [gru, lstm]"], parallel: 2);
        var store = new StoreProbe(db);

        List<int> runners;
        using (var run = OrchestratorCli.StartInOwnGroup(dir.Path, null, ["run", spec, .. db.DbOption]))
        {
            run.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("group") is not null, Patience, "a running trial with a checkpoint");
            runners = ProcessTree.Children(run.Pid).Where(p => p.CommandLine.Contains("Runner.dll", StringComparison.Ordinal)).Select(p => p.Pid).ToList();
            run.KillGroup();
        }
        Assert.NotEmpty(runners);
        var interrupted = store.Trials("group").Where(t => t.State == TrialStates.Running).ToList();
        Assert.NotEmpty(interrupted);
        Assert.All(interrupted, t => Assert.True(t.LeaseUntil > StoreProbe.UnixNow() + 3000, "the lease should still run for most of an hour"));

        // status says so, though the lease runs on.
        var status = OrchestratorCli.Run(dir.Path, ["status", "group", .. db.DbOption]);
        Assert.True(status.ExitCode == 0, status.ToString());
        foreach (var t in interrupted)
            Assert.Contains($"abandoned by {t.Owner} (it and its Runner are gone from this host; the next run resumes it)", status.StdOut);
        var json = OrchestratorCli.Run(dir.Path, ["status", "group", "--json", .. db.DbOption]);
        Assert.Contains("\"owner_gone\": true", json.StdOut);

        // Within the test's patience (minutes, not the hour of the lease), or ChildProcess.Run fails.
        var again = OrchestratorCli.Run(dir.Path, ["run", spec, .. db.DbOption]);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.All(store.Trials("group"), t => Assert.Equal(TrialStates.Completed, t.State));
        foreach (var t in interrupted)
        {
            var attempts = store.Attempts(t.TrialId);
            Assert.Equal(["abandoned", "completed"], attempts.Select(a => a.Outcome));
            Assert.Equal($"owner {t.Owner} and its Runner are gone", attempts[0].Reason);
        }
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Fact]
    public void When_only_the_orchestrator_is_killed_a_rerun_waits_for_its_live_runner_instead_of_taking_the_trial()
    {
        using var dir = new TempDir();
        var spec = HourLeaseSweep(dir, "alone", ["model.hidden: [32]"], parallel: 1);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        using var first = OrchestratorCli.Start(dir.Path, null, "run", spec);
        TrialRow? trial = null;
        first.WaitUntil(() => store.Ready && (trial = store.RunningWithCheckpoint("alone")) is not null, Patience, "a running trial with a checkpoint");
        var runner = ProcessTree.Children(first.Pid).Single(p => p.CommandLine.Contains("Runner.dll", StringComparison.Ordinal)).Pid;
        OrchestratorCli.Signal(runner, "STOP"); // hold the Runner still while the rerun looks at its trial
        try
        {
            first.KillAlone();
            var held = store.Trials("alone").Single();
            Assert.Equal(ProcessIdentity.Of(runner)!.ToString(), held.Runner);
            Assert.True(OwnerToken.ProcessOf(held.Owner)!.IsGoneHere(), "the owner, the killed orchestrator, is gone");

            using var second = OrchestratorCli.Start(dir.Path, null, "run", spec);
            second.WaitUntil(() => second.StdOut.Contains($"waiting for 1 trial(s) running under other orchestrators: {trial!.TrialId}", StringComparison.Ordinal),
                Patience, "the rerun to wait for the live Runner's trial");
            var stillHeld = store.Trials("alone").Single();
            Assert.Equal((TrialStates.Running, held.Owner, held.Attempt), (stillHeld.State, stillHeld.Owner, stillHeld.Attempt));

            // Running again, the Runner finds its owner gone (its stdin closed): it checkpoints and lets go, and the rerun resumes the trial.
            OrchestratorCli.Signal(runner, "CONT");
            Assert.True(second.WaitForExit(Patience) == 0, second.Output);
            Assert.Contains($"{trial!.TrialId} hidden=32: claimed (attempt 2)", second.StdOut);
            Assert.Matches($@"{trial.TrialId} hidden=32: started on cpu, resumed at step [1-9]\d*", second.StdOut);
        }
        finally
        {
            OrchestratorCli.Signal(runner, "CONT");
        }

        var done = store.Trials("alone").Single();
        Assert.Equal((TrialStates.Completed, 2), (done.State, done.Attempt));
        Assert.Equal(["interrupted", "completed"], store.Attempts(done.TrialId).Select(a => a.Outcome));
        Assert.Equal(0, store.DuplicateMetricKeys());
    }
}
