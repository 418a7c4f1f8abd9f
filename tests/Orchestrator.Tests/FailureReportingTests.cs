using Core.Contract;
using Core.Spec;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Failures that explain themselves, with the real Runner: the reason recorded and shown is the
/// Runner's own message (its stack trace kept apart), a failure that repeats exactly is not retried,
/// a model too large for the machine is refused before anything runs, and a resume that skips a
/// damaged checkpoint says so and says where it really resumed.
/// </summary>
[Collection("sweeps")]
public sealed class FailureReportingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_runner_crash_is_recorded_by_its_message_with_stderr_apart_and_is_not_retried_when_it_repeats_exactly()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "blocked", ["model.hidden: [16]"], parallel: 1, retries: 2);
        var id = SpecLoader.Load(spec).Trials.Single().Id;
        var blocker = dir.Write($"results/checkpoints/{id}", "a file where the trial's checkpoint folder belongs");

        var r = OrchestratorCli.Run(dir.Path, "run", spec, "--retry-delay", "0.1");

        Assert.True(r.ExitCode == 1, r.ToString());
        var trial = new StoreProbe(dir.File("results/orchestrator.db")).Trials("blocked").Single();
        Assert.Equal((TrialStates.Failed, 2, 1, FailureKind.Crashed), (trial.State, trial.Attempt, trial.ExitCode, trial.FailureKind));
        Assert.StartsWith("crashed (exit 1) on attempt 2 of 3, exactly as on attempt 1, so not retried: IOException: ", trial.Failure);
        Assert.Contains(blocker, trial.Failure);
        Assert.DoesNotContain("\n", trial.Failure);
        Assert.Contains("   at ", trial.StderrTail); // the stack trace is kept, apart from the reason
        Assert.Equal(["retry", "failed"], new StoreProbe(dir.File("results/orchestrator.db")).Attempts(id).Select(a => a.Outcome));

        var status = OrchestratorCli.Run(dir.Path, "status", "blocked");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("crashed (exit 1) on attempt 2 of 3, exactly as on attempt 1, so not retried: IOException: ", status.StdOut);
        Assert.DoesNotContain("   at ", status.StdOut);
    }

    [Fact]
    public void A_model_too_large_for_this_machine_is_refused_with_its_size_before_anything_is_recorded()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "huge", ["model.hidden: [16, 100000000]"]);

        var r = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Matches(@"sweep\.yaml:\d+:\d+: grid\.model\.hidden: a gru of 1 × 100000000 units on embedding 8 has at least [\d,]+ parameters, which need [\d.]+ PiB to train", r.StdErr);
        Assert.Contains("more than this machine's", r.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")), "nothing may be recorded for a spec with problems");
    }

    [Fact]
    public void A_resume_that_skips_a_damaged_checkpoint_warns_and_says_where_it_really_resumed()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "damaged", ["model.hidden: [32]"], epochs: 4, maxSteps: 0, checkpointEvery: 10, parallel: 1, leaseSeconds: 3600);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        using (var run = OrchestratorCli.Start(dir.Path, null, "run", spec))
        {
            run.WaitUntil(() => store.Ready && store.RunningWithCheckpoint("damaged") is { } t && store.Checkpoints(t.TrialId).Count >= 2, Patience, "two checkpoints");
            run.KillTree();
        }
        var trial = store.Trials("damaged").Single();
        var checkpoints = store.Checkpoints(trial.TrialId);
        var (newest, before) = (checkpoints[0], checkpoints[1]);
        File.AppendAllText(Database.OpenReadOnly(dir.File("results/orchestrator.db")).Resolve(newest.Path), "damage");

        var again = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Matches($@"{trial.TrialId} [^\n]*: warning: skipping checkpoint {newest.Name}\b[^\n]*sha256", again.StdOut);
        Assert.Matches($@"{trial.TrialId} [^\n]*: started on cpu, resumed at step {before.Step} of ", again.StdOut);
        Assert.DoesNotContain("resuming near", again.StdOut);
        Assert.Equal(TrialStates.Completed, store.Trials("damaged").Single().State);
        Assert.Equal(0, store.DuplicateMetricKeys());
    }
}
