using System.Diagnostics;
using System.Globalization;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>A Ctrl+C that comes after the last trial has ended interrupts nothing: `run` reports the sweep as done.</summary>
[Collection("sweeps")]
public sealed class LateStopTests
{
    [Fact]
    public void A_sigint_after_the_last_trial_completed_reports_completion_and_exits_0()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "late", ["model.hidden: [16]"], parallel: 1, retries: 0, leaseSeconds: 30);
        var ended = dir.File("runner-ended");
        // The real Runner, then a pause before the process exits: the trial is completed in the store
        // while the orchestrator still waits for its Runner. The pause ignores the SIGTERM that the
        // orchestrator forwards on Ctrl+C, as a Runner that has already finished would.
        var wrapper = dir.Write("runner.sh", $"""
            #!/usr/bin/env bash
            dotnet "{RealRunner.Dll}" "$@"
            rc=$?
            trap '' TERM INT
            touch "{ended}"
            sleep 5
            exit $rc
            """);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        using var run = OrchestratorCli.Start(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = wrapper }, "run", spec);
        run.WaitUntil(() => File.Exists(ended), TimeSpan.FromMinutes(2), "the Runner to end");
        using (var kill = Process.Start("kill", ["-INT", run.Pid.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var code = run.WaitForExit(TimeSpan.FromMinutes(1));

        Assert.True(code == 0, run.Output);
        Assert.Contains("stopping: asking running trials to checkpoint", run.Output); // the SIGINT did arrive while the run was on
        Assert.Contains("sweep late: 1 completed, 0 failed, 0 pending, 0 running (of 1)", run.StdOut);
        Assert.Contains("the stop came after every trial had ended; nothing was interrupted", run.StdOut);
        Assert.DoesNotContain("run the same command again", run.StdOut);
        Assert.Equal(TrialStates.Completed, new StoreProbe(dir.File("results/orchestrator.db")).Trials("late").Single().State);
    }

    [Fact]
    public void Sigints_again_and_again_around_the_end_of_a_run_each_get_a_message_and_the_summarys_exit_code()
    {
        // The run ends a moment after its trial: the first `kill` may come after the process has gone. Such a try shows
        // nothing about signals (and no SIGINT line), so it is tried again, up to three times.
        for (var attempt = 1; ; attempt++)
        {
            using var dir = new TempDir();
            var spec = TinySweep.Write(dir, "burst", ["model.hidden: [16]"], epochs: 1, maxSteps: 8, parallel: 1, retries: 0, leaseSeconds: 30);
            using var run = OrchestratorCli.Start(dir.Path, null, "run", spec, "--plain");
            // From the trial's end on, Ctrl+C after Ctrl+C until the process is gone: through the summary, the cleanup and the runtime's exit.
            run.WaitUntil(() => run.StdOut.Contains(": completed", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "the trial to complete");
            var sent = 0;
            while (!run.HasExited)
            {
                OrchestratorCli.Signal(run.Pid, "INT");
                sent++;
            }
            var code = run.WaitForExit(TimeSpan.FromMinutes(1));

            // The trial had ended: nothing was interrupted, so the exit code is the finished sweep's (documented: 0), never a silent 130.
            Assert.True(code == Orchestrator.Cli.CliExitCode.Ok, $"exit {code} after {sent} SIGINTs\n{run.Output}");
            Assert.Contains("sweep burst: 1 completed, 0 failed, 0 pending, 0 running (of 1)", run.StdOut);
            Assert.Equal(TrialStates.Completed, new StoreProbe(dir.File("results/orchestrator.db")).Trials("burst").Single().State);
            if (!run.Output.Contains("SIGINT", StringComparison.Ordinal) && attempt < 3) continue; // no signal arrived in time
            // Every SIGINT that arrived got a line: the first one asks to stop, later ones before the summary kill (nothing is left to kill),
            // and those after the summary say that the run is only exiting.
            Assert.True(run.Output.Contains("SIGINT during shutdown: ignored; everything was recorded; exiting with 0, as summarized above", StringComparison.Ordinal),
                $"attempt {attempt}, {sent} SIGINTs sent\n{run.Output}");
            return;
        }
    }
}
