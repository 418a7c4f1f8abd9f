using System.Diagnostics;
using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Crashes with the real Runner: the machine dies (kill -9 of the orchestrator and its Runners),
/// one Runner is killed, the user presses Ctrl+C (SIGTERM). Every trial ends trained exactly once:
/// resumed from its checkpoint, never retrained from scratch, no metric recorded twice.
/// </summary>
[Collection("sweeps")]
public sealed partial class CrashRecoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Trials long enough (4 epochs of ~140 steps) that a kill lands mid-training, with a checkpoint every 10 steps.</summary>
    private static string LongSweep(TempDir dir, string name, string[] grid, int parallel, double leaseSeconds = 3) =>
        TinySweep.Write(dir, name, grid, epochs: 4, maxSteps: 0, checkpointEvery: 10, parallel: parallel, leaseSeconds: leaseSeconds);

    [Fact]
    public void Killing_the_orchestrator_and_its_runners_then_running_again_completes_every_trial_without_retraining_from_scratch()
    {
        using var dir = new TempDir();
        var spec = LongSweep(dir, "crash", ["model.cell: [gru, lstm]", "model.hidden: [24, 32]"], parallel: 2);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        double killedAt;
        List<TrialRow> interrupted;
        using (var run = OrchestratorCli.Start(dir.Path, null, "run", spec))
        {
            run.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("crash") is not null, Patience, "a running trial with a checkpoint");
            killedAt = StoreProbe.UnixNow();
            run.KillTree();
        }
        interrupted = store.Trials("crash").Where(t => t.State == TrialStates.Running && store.Checkpoints(t.TrialId).Count > 0).ToList();
        Assert.NotEmpty(interrupted);

        var second = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.All(store.Trials("crash"), t => Assert.Equal(TrialStates.Completed, t.State));
        foreach (var t in interrupted)
        {
            // Reclaimed after its lease expired, and resumed from a checkpoint: the steps before it were not retrained.
            Assert.Equal(["abandoned", "completed"], store.Attempts(t.TrialId).Select(a => a.Outcome));
            Assert.Matches($@"{t.TrialId} .*: started on cpu, resumed at step [1-9]\d*", second.StdOut);
            var firstLogged = store.Metrics(t.TrialId, MetricNames.TrainLoss).Min(m => m.WallTime);
            Assert.True(firstLogged < killedAt, $"trial {t.TrialId}'s early steps were re-recorded after the crash: retrained from scratch?");
        }
        // A trial with a checkpoint never starts from step 0 again (one killed before its first checkpoint rightly does).
        foreach (var t in interrupted)
            Assert.DoesNotMatch($@"{t.TrialId} [^\n]*: started on cpu, \d+ steps", second.StdOut);
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Fact]
    public void A_killed_runner_is_retried_and_resumes_from_its_checkpoint()
    {
        using var dir = new TempDir();
        var spec = LongSweep(dir, "killrunner", ["model.hidden: [32]"], parallel: 1, leaseSeconds: 10);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        using var run = OrchestratorCli.Start(dir.Path, null, "run", spec, "--retry-delay", "0.2");
        TrialRow? victim = null;
        run.WaitUntil(() => store.Ready && (victim = store.RunningWithCheckpoint("killrunner")) is not null, Patience, "a checkpoint");
        var runner = ProcessTree.Children(run.Pid).Single(p => p.CommandLine.Contains("Runner.dll") && p.CommandLine.Contains(victim!.TrialId));
        var killedAt = StoreProbe.UnixNow();
        Process.GetProcessById(runner.Pid).Kill();
        Assert.True(run.WaitForExit(Patience) == 0, run.Output);

        var trial = store.Trials("killrunner").Single();
        Assert.Equal(TrialStates.Completed, trial.State);
        var attempts = store.Attempts(trial.TrialId);
        Assert.Equal(["retry", "completed"], attempts.Select(a => a.Outcome));
        Assert.Equal(137, attempts[0].ExitCode);
        Assert.StartsWith("killed by signal 9 (exit 137)", attempts[0].Reason);
        Assert.Matches($@"{trial.TrialId} .*: attempt 1 killed by signal 9 \(exit 137\); retry 1 of 2 in", run.StdOut);
        Assert.Matches($@"{trial.TrialId} .*: started on cpu, resumed at step [1-9]\d*", run.StdOut);
        Assert.True(store.Metrics(trial.TrialId, MetricNames.TrainLoss).Min(m => m.WallTime) < killedAt, "the early steps were retrained");
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Fact]
    public void Sigterm_checkpoints_the_running_trials_returns_them_to_pending_and_exits_130_and_the_next_run_resumes()
    {
        using var dir = new TempDir();
        var spec = LongSweep(dir, "stop", ["model.cell: [gru, lstm]"], parallel: 2, leaseSeconds: 30);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        string stopOutput;
        using (var run = OrchestratorCli.Start(dir.Path, null, "run", spec))
        {
            run.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("stop") is not null, Patience, "a checkpoint");
            using (var kill = Process.Start("kill", ["-TERM", run.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(run.WaitForExit(Patience) == 130, run.Output);
            Assert.Contains("interrupted: run the same command again", run.StdOut);
            stopOutput = run.Output;
        }
        var stopped = store.Trials("stop");
        Assert.All(stopped, t => Assert.NotEqual(TrialStates.Running, t.State)); // none left running with a live lease
        var released = stopped.Where(t => t.State == TrialStates.Pending && store.Checkpoints(t.TrialId).Count > 0).ToList();
        Assert.True(released.Count > 0, string.Join("\n", stopped.Select(t => $"{t.TrialId} {t.State} attempt {t.Attempt} step {t.Step}")) + "\n" + stopOutput);
        foreach (var t in released)
        {
            Assert.Equal("interrupted", store.Attempts(t.TrialId)[^1].Outcome);
        }

        var again = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.All(store.Trials("stop"), t => Assert.Equal(TrialStates.Completed, t.State));
        foreach (var t in released)
            Assert.Matches($@"{t.TrialId} .*: started on cpu, resumed at step [1-9]\d*", again.StdOut);
        Assert.Equal(0, store.DuplicateMetricKeys());
    }
}
