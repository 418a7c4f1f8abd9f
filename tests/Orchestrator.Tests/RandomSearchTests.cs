using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// <c>search: { method: random }</c> with the real Runner, on each engine: the sampled trials run, and
/// raising <c>trials</c> keeps the first ones (same ids, same results, not retrained) and runs only
/// the new draws; early stopping works with it.
/// </summary>
[Collection("sweeps")]
public sealed class RandomSearchTests
{
    private static string Spec(TestStore db, int trials) =>
        TinySweep.Write(db.Dir, "rand", ["train.lr: { log_uniform: [0.00001, 0.03] }", "model.hidden: { int_uniform: [12, 24] }", "model.cell: [gru, lstm]"],
            epochs: 2, maxSteps: 8, parallel: 2, leaseSeconds: 10,
            sections: [$"search: {{ method: random, trials: {trials}, seed: 7 }}", "early_stopping: { rule: asha, reduction_factor: 2 }"]);

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Raising_trials_keeps_the_first_trials_and_their_results_and_runs_only_the_new_draws(Backend backend)
    {
        using var db = TestStore.Create(backend, "random");
        var store = new StoreProbe(db);
        ProcessResult Cli(params string[] args) => OrchestratorCli.Run(db.Dir.Path, [.. args, .. db.DbOption]);

        var first = Cli("run", Spec(db, 3));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("sweep rand: 3 trials (3 new;", first.StdOut);
        var before = store.Trials("rand");
        Assert.All(before, t => Assert.Contains(t.State, new[] { TrialStates.Completed, TrialStates.Stopped }));
        var recorded = before.ToDictionary(t => t.TrialId, t => store.Metrics(t.TrialId, MetricNames.ValLoss).Select(m => (m.Value, m.WallTime)).ToList());

        var dry = Cli("run", Spec(db, 5), "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var rows = DryRunTests.Rows(dry.StdOut);
        Assert.Equal(before.Select(t => t.TrialId), rows.Take(3).Select(r => r[1]));
        Assert.Equal(["new", "new"], rows.Skip(3).Select(r => r[^4])); // columns end: state, epoch, step, estimate

        var more = Cli("run", Spec(db, 5));
        Assert.True(more.ExitCode == 0, more.ToString());
        Assert.Contains("sweep rand: 5 trials (2 new;", more.StdOut);
        Assert.Equal(2, Regex.Matches(more.StdOut, @": claimed \(attempt 1\)").Count);
        var after = store.Trials("rand");
        Assert.Equal(before.Select(t => t.TrialId), after.Take(3).Select(t => t.TrialId));
        foreach (var t in before)
        {
            Assert.Equal((t.State, t.Attempt, t.Step), after.Single(a => a.TrialId == t.TrialId) is var a ? (a.State, a.Attempt, a.Step) : default);
            Assert.Equal(recorded[t.TrialId], store.Metrics(t.TrialId, MetricNames.ValLoss).Select(m => (m.Value, m.WallTime)).ToList());
        }
        Assert.All(after, t => Assert.Contains(t.State, new[] { TrialStates.Completed, TrialStates.Stopped }));
        Assert.Equal(0, store.DuplicateMetricKeys());
    }
}
