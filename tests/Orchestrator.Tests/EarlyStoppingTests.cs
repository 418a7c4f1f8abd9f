using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// early_stopping with the real Runner, on each engine, driven as a user drives it: hopeless trials
/// (a learning rate a thousand times too small) are stopped at an epoch end by the median rule and
/// by asha, keep their curves and checkpoints, show as stopped in <c>status</c>, are not trained
/// again by a rerun or <c>--retry-failed</c>, and <c>run --no-early-stopping</c> trains them to their
/// full budget from their checkpoint.
/// </summary>
[Collection("sweeps")]
public sealed class EarlyStoppingTests
{
    /// <summary>Two good learning rates' trials first (grid order, one at a time), then two hopeless ones.</summary>
    private static string Sweep(TestStore db, string name, string rule, int epochs = 3, int parallel = 1, int maxSteps = 12, int checkpointEvery = 4) =>
        TinySweep.Write(db.Dir, name, ["train.lr: [0.02, 0.00001]", "model.hidden: [16, 24]"], epochs: epochs, maxSteps: maxSteps,
            checkpointEvery: checkpointEvery, parallel: parallel, leaseSeconds: 10, sections: [$"early_stopping: {rule}"]);

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void The_median_rule_stops_the_hopeless_trials_which_stay_stopped_until_run_with_no_early_stopping(Backend backend)
    {
        using var db = TestStore.Create(backend, "median");
        var spec = Sweep(db, "median", "{ rule: median, metric: val_loss, grace_epochs: 1, min_peers: 2 }");
        var store = new StoreProbe(db);
        ProcessResult Cli(params string[] args) => OrchestratorCli.Run(db.Dir.Path, [.. args, .. db.DbOption]);

        var run = Cli("run", spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("early stopping: median rule on val_loss from epoch 1", run.StdOut);
        Assert.Contains("sweep median: 2 completed, 2 stopped early, 0 failed, 0 pending, 0 running (of 4)", run.StdOut);
        var trials = store.Trials("median");
        Assert.Equal([TrialStates.Completed, TrialStates.Completed, TrialStates.Stopped, TrialStates.Stopped], trials.Select(t => t.State));
        foreach (var (t, peers) in trials.Skip(2).Zip([2, 3]))
        {
            // Its peers: the trials of the sweep that reached epoch 1 before it, stopped ones included.
            var stop = t.Stop!;
            Assert.Equal(("median", "val_loss", 1, peers), (stop.Rule, stop.Metric, stop.Epoch, stop.Peers));
            Assert.True(stop.Value > stop.Threshold, $"{t.TrialId}: {stop.Describe()}");
            Assert.Equal(stop.Value, store.Metrics(t.TrialId, MetricNames.ValLoss).Single().Value);
            // Its curve and checkpoint stay; it trained one epoch of three.
            Assert.Equal((1, 12L), (t.Epoch, t.Step));
            Assert.Contains("ckpt_1", store.Checkpoints(t.TrialId).Select(c => c.Name));
            Assert.Null(t.Failure);
            Assert.Equal(["stopped"], store.Attempts(t.TrialId).Select(a => a.Outcome));
            Assert.Equal(7, store.Attempts(t.TrialId)[0].ExitCode);
            Assert.Matches($@"{t.TrialId} .*: stopped at epoch 1 by the median rule: val_loss [\d.]+ is worse than the median [\d.]+ of {peers} other trial\(s\)", run.StdOut);
        }
        // The winner is a completed trial of the good learning rate.
        Assert.Matches(@"best: \w+ \(lr 0\.02, hidden \d+\)", run.StdOut);

        var status = Cli("status", "median");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("2 stopped early", status.StdOut);
        Assert.Matches(@"stopped\s.*stopped at epoch 1 by the median rule", status.StdOut);
        var summary = Cli("query", "SELECT state, stop_rule, stop_epoch, stop_peers FROM trial_summary WHERE sweep = 'median' ORDER BY ordinal", "--format", "csv");
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Contains("stopped,median,1,2", summary.StdOut);

        // A rerun and --retry-failed leave stopped trials alone.
        foreach (var again in new[] { Cli("run", spec), Cli("run", spec, "--retry-failed") })
        {
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("0 new;", again.StdOut);
            Assert.DoesNotContain("claimed", again.StdOut);
        }
        Assert.Equal(2, store.Trials("median").Count(t => t.State == TrialStates.Stopped));

        // --no-early-stopping: the stopped trials train to their full budget, from their epoch-1 checkpoint.
        var full = Cli("run", spec, "--no-early-stopping");
        Assert.True(full.ExitCode == 0, full.ToString());
        Assert.Contains("2 stopped early resumed to their full budget", full.StdOut);
        Assert.DoesNotContain("early stopping:", full.StdOut);
        Assert.Equal(2, Regex.Matches(full.StdOut, @"started on cpu, resumed at step 12 of 36").Count);
        Assert.All(store.Trials("median"), t => Assert.Equal((TrialStates.Completed, 3, (string?)null), (t.State, t.Epoch, t.StopRule)));
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Fact]
    public void Asha_stops_the_hopeless_trials_at_its_first_rung_and_lets_the_first_trial_through()
    {
        using var db = TestStore.Create(Backend.Sqlite, "asha");
        var spec = Sweep(db, "asha", "{ rule: asha, grace_epochs: 1, reduction_factor: 2 }");
        var store = new StoreProbe(db);

        var run = OrchestratorCli.Run(db.Dir.Path, ["run", spec, .. db.DbOption]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("early stopping: asha on val_loss, rungs at epochs 1, 2, 4", run.StdOut);
        var trials = store.Trials("asha");
        // Alone at each rung, the first trial goes on; the hopeless ones are the worst at rung 1 and stop there.
        Assert.Equal((TrialStates.Completed, 3), (trials[0].State, trials[0].Epoch));
        foreach (var t in trials.Skip(2))
        {
            Assert.Equal(TrialStates.Stopped, t.State);
            Assert.Equal(("asha", 1), (t.Stop!.Rule, t.Stop.Epoch));
            Assert.True(t.Stop.Value > t.Stop.Threshold);
            Assert.Contains("ckpt_1", store.Checkpoints(t.TrialId).Select(c => c.Name));
        }
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Stopped_trials_survive_a_kill_9_of_the_orchestrator_and_the_rerun_trains_them_no_more(Backend backend)
    {
        using var db = TestStore.Create(backend, "es-kill");
        // Whole epochs (~140 steps) with a checkpoint every 10 steps, two at a time: a kill lands mid-training.
        var spec = Sweep(db, "eskill", "{ rule: median, min_peers: 1 }", parallel: 2, maxSteps: 0, checkpointEvery: 10);
        var store = new StoreProbe(db);

        List<TrialRow> stoppedBefore;
        using (var run = OrchestratorCli.StartInOwnGroup(db.Dir.Path, null, ["run", spec, .. db.DbOption]))
        {
            run.WaitUntil(() => store.Ready && store.Trials("eskill") is var ts && ts.Any(t => t.State == TrialStates.Stopped)
                                && store.RunningWithCheckpoint("eskill") is not null, TimeSpan.FromMinutes(3), "a stopped trial and a running one with a checkpoint");
            run.KillGroup();
        }
        stoppedBefore = store.Trials("eskill").Where(t => t.State == TrialStates.Stopped).ToList();

        var again = OrchestratorCli.Run(db.Dir.Path, ["run", spec, .. db.DbOption]);

        Assert.True(again.ExitCode == 0, again.ToString());
        var trials = store.Trials("eskill");
        Assert.All(trials, t => Assert.Contains(t.State, new[] { TrialStates.Completed, TrialStates.Stopped }));
        foreach (var before in stoppedBefore)
        {
            var now = trials.Single(t => t.TrialId == before.TrialId);
            Assert.Equal((TrialStates.Stopped, before.Attempt, before.Step, before.StopEpoch), (now.State, now.Attempt, now.Step, now.StopEpoch));
            Assert.DoesNotMatch($@"{before.TrialId} [^\n]*: claimed", again.StdOut);
        }
        // Every trial stopped has its decision; every epoch it reached has its metrics, once.
        Assert.All(trials.Where(t => t.State == TrialStates.Stopped), t =>
        {
            Assert.NotNull(t.Stop);
            Assert.Equal(t.Epoch, store.Metrics(t.TrialId, MetricNames.ValLoss).Count);
        });
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Two_orchestrators_deciding_at_once_lose_no_trial_record(Backend backend)
    {
        using var db = TestStore.Create(backend, "es-two");
        var spec = TinySweep.Write(db.Dir, "estwo", ["train.lr: [0.02, 0.00001]", "model.hidden: [16, 24]", "data.seq_len: [12, 16]"], epochs: 3, maxSteps: 12,
            parallel: 2, leaseSeconds: 10, sections: ["early_stopping: { rule: median, min_peers: 1 }"]);
        var store = new StoreProbe(db);

        using var a = OrchestratorCli.Start(db.Dir.Path, null, ["run", spec, .. db.DbOption]);
        using var b = OrchestratorCli.Start(db.Dir.Path, null, ["run", spec, .. db.DbOption]);
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(3)) == 0, a.Output);
        Assert.True(b.WaitForExit(TimeSpan.FromMinutes(3)) == 0, b.Output);

        var trials = store.Trials("estwo");
        Assert.Equal(8, trials.Count);
        Assert.Contains(trials, t => t.State == TrialStates.Stopped);
        foreach (var t in trials)
        {
            // Each trial ran once, by one of them, and ended with its record whole.
            var attempts = store.Attempts(t.TrialId);
            Assert.Single(attempts);
            Assert.Equal(t.State == TrialStates.Stopped ? "stopped" : "completed", attempts[0].Outcome);
            Assert.Equal(t.State == TrialStates.Stopped, t.Stop is not null);
            Assert.Equal(t.Epoch, store.Metrics(t.TrialId, MetricNames.ValLoss).Count);
            Assert.Contains($"ckpt_{t.Epoch}", store.Checkpoints(t.TrialId).Select(c => c.Name));
        }
        Assert.Equal(0, store.DuplicateMetricKeys());
    }

    [Theory]
    [Trait("Needs", "Slurm")]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Slurm_workers_stop_the_hopeless_trials_from_the_shared_database(Backend backend)
    {
        using var sweep = new SlurmSweep("es", ["train.lr: [0.02, 0.00001]", "model.hidden: [16, 24]"], parallel: 1, epochs: 3, backend: backend,
            sections: ["early_stopping: { rule: median, min_peers: 2 }"]);

        var r = sweep.Cli("run", sweep.Spec);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"sweep {sweep.Name}: 2 completed, 2 stopped early, 0 failed, 0 pending, 0 running (of 4)", r.StdOut);
        var trials = sweep.Store.Trials(sweep.Name);
        Assert.Equal([TrialStates.Completed, TrialStates.Completed, TrialStates.Stopped, TrialStates.Stopped], trials.Select(t => t.State));
        foreach (var t in trials.Skip(2))
        {
            Assert.Equal(("median", 1), (t.Stop!.Rule, t.Stop.Epoch));
            var attempt = Assert.Single(sweep.Attempts(t.TrialId));
            Assert.Equal("stopped", attempt.Outcome);
            Assert.NotNull(attempt.SlurmJob);
            Assert.Contains($"{t.TrialId} ", sweep.Log(attempt.SlurmJob!));
        }

        // --no-early-stopping reaches the workers through their job script: the stopped trials train to their full budget.
        var full = sweep.Cli("run", sweep.Spec, "--no-early-stopping");
        Assert.True(full.ExitCode == 0, full.ToString());
        Assert.Contains("2 stopped early resumed to their full budget", full.StdOut);
        Assert.Contains(" --no-early-stopping\n", File.ReadAllText(Path.Combine(sweep.SlurmFolder, "worker.sbatch")));
        Assert.All(sweep.Store.Trials(sweep.Name), t => Assert.Equal((TrialStates.Completed, 3), (t.State, t.Epoch)));
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
    }
}
