using System.Diagnostics;
using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// kill -9 of the orchestrator alone, as a user's `kill -9 PID` does: its Runners notice (the pipe
/// to their stdin closes), checkpoint, put their trials back to pending and exit within seconds,
/// instead of training on as orphans; the rerun, started at once, never runs more Runners than its
/// parallel (Runners still stopping count), lists every trial it announced, and completes each once.
/// </summary>
[Collection("sweeps")]
public sealed partial class OrphanedRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    /// <summary>"A few seconds": a Runner finishes its step, writes a checkpoint and exits; a busy machine gets some slack.</summary>
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(15);

    [Fact]
    public void After_kill_9_of_the_orchestrator_alone_its_runners_checkpoint_and_exit_and_the_rerun_runs_every_trial_once_within_its_parallel()
    {
        using var dir = new TempDir();
        // An hour-long lease: a trial held by a Runner that did not let go would keep the rerun waiting past the test's patience.
        var spec = TinySweep.Write(dir, "orphans", ["model.cell: [gru, lstm]", "model.hidden: [24, 32]"], epochs: 6, maxSteps: 0, checkpointEvery: 10,
            parallel: 2, leaseSeconds: 3600);
        var db = dir.File("results/orchestrator.db");
        var store = new StoreProbe(db);

        List<int> runners;
        List<TrialRow> held;
        using (var first = OrchestratorCli.Start(dir.Path, null, "run", spec))
        {
            first.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("orphans") is not null && ProcessTree.RunnersOf(db).Count == 2
                                  && store.Trials("orphans").Count(t => t.State == TrialStates.Running) == 2,
                Patience, "two Runners, one with a checkpoint");
            runners = ProcessTree.RunnersOf(db).ToList();
            // The trials held when the orchestrator dies (read before: on an idle machine an orphan checkpoints and lets go within moments).
            held = store.Trials("orphans").Where(t => t.State == TrialStates.Running).ToList();
            first.KillAlone();
        }
        var killed = Stopwatch.StartNew();
        Assert.Equal(2, held.Count);

        // The rerun starts at once, while the orphans may still be stopping.
        using var rerun = OrchestratorCli.Start(dir.Path, null, "run", spec);
        var most = 0;
        var outlived = new Dictionary<int, TimeSpan>();
        while (!rerun.HasExited)
        {
            var alive = ProcessTree.RunnersOf(db);
            most = Math.Max(most, alive.Count);
            foreach (var pid in runners.Where(alive.Contains)) outlived[pid] = killed.Elapsed;
            Assert.True(killed.Elapsed < Patience, $"the rerun ran past {Patience}\n{rerun.Output}");
            Thread.Sleep(20);
        }
        Assert.True(rerun.WaitForExit(Patience) == 0, rerun.Output);

        Assert.All(runners, pid => Assert.True(!outlived.TryGetValue(pid, out var t) || t < FewSeconds,
            $"Runner {pid} ran on {outlived.GetValueOrDefault(pid).TotalSeconds:0.0} s after its orchestrator was killed"));
        Assert.True(most <= 2, $"{most} Runners ran at once on this database, with parallel 2\n{rerun.Output}");

        // Each orphan stopped as on SIGTERM: its attempt interrupted with exit 4, resumed by the rerun from its checkpoint.
        foreach (var t in held)
        {
            var attempts = store.Attempts(t.TrialId);
            Assert.Equal(["interrupted", "completed"], attempts.Select(a => a.Outcome));
            Assert.Equal(4, attempts[0].ExitCode);
            Assert.Matches($@"{t.TrialId} .*: started on cpu, resumed at step [1-9]\d*", rerun.StdOut);
        }
        // The rerun announced every trial it then ran, and ran each once: one claim, one completion, no metric twice.
        var announced = int.Parse(RunningLine().Match(rerun.StdOut).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var claimed = ClaimedLine().Matches(rerun.StdOut).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, announced);
        Assert.Equal(announced, claimed.Count);
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.All(store.Trials("orphans"), t => Assert.Equal(TrialStates.Completed, t.State));
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [GeneratedRegex(@"running (\d+) trial\(s\)")]
    private static partial Regex RunningLine();

    [GeneratedRegex(@"\] (\w{12}) [^\n]*: claimed \(attempt \d+\)")]
    private static partial Regex ClaimedLine();
}
