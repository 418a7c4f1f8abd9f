using Core.Spec;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>One trial whose Runner always crashes: it is failed with its reason after its retries, and the others complete.</summary>
[Collection("sweeps")]
public sealed class PartialFailureTests
{
    [Fact]
    public void A_trial_whose_runner_always_crashes_fails_with_its_reason_while_the_others_complete()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "partial", ["model.hidden: [16, 24, 32]"], parallel: 2, retries: 2);
        var doomed = SpecLoader.Load(spec).Trials[1].Id;
        // A Runner wrapper that crashes for one trial and runs the real Runner for the others.
        var wrapper = dir.Write("runner.sh", $"""
            #!/usr/bin/env bash
            for a in "$@"; do
              if [ "$a" = "{doomed}" ]; then echo "runner: crashed: System.AccessViolationException (simulated)" >&2; exit 1; fi
            done
            exec dotnet "{RealRunner.Dll}" "$@"
            """);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        var r = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = wrapper }, "run", spec, "--retry-delay", "0.2");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("sweep partial: 2 completed, 1 failed, 0 pending, 0 running (of 3)", r.StdOut);
        foreach (var t in store.Trials("partial"))
        {
            if (t.TrialId == doomed)
            {
                Assert.Equal(TrialStates.Failed, t.State);
                Assert.Equal(3, t.Attempt);
                Assert.Equal(1, t.ExitCode);
                Assert.StartsWith("crashed (exit 1) on attempt 3 of 3: runner: crashed: System.AccessViolationException (simulated)", t.Failure);
                Assert.Equal(["retry", "retry", "failed"], store.Attempts(t.TrialId).Select(a => a.Outcome));
            }
            else
            {
                Assert.Equal(TrialStates.Completed, t.State);
                Assert.Equal(1, t.Attempt);
            }
        }

        // The cause is fixed (the real Runner again): a plain run leaves the failed trial alone,
        // --retry-failed runs it, and nothing else trains again.
        var plain = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(plain.ExitCode == 1, plain.ToString());
        var retried = OrchestratorCli.Run(dir.Path, "run", spec, "--retry-failed");
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Contains("1 failed requeued", retried.StdOut);
        Assert.All(store.Trials("partial"), t => Assert.Equal(TrialStates.Completed, t.State));
        Assert.Equal(4, store.Trials("partial").Single(t => t.TrialId == doomed).Attempt);
        Assert.All(store.Trials("partial").Where(t => t.TrialId != doomed), t => Assert.Equal(1, t.Attempt));
    }
}
