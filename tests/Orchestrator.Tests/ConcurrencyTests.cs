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

    private static List<string> Claimed(string stdout) =>
        ClaimedLine().Matches(stdout).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"\] ([0-9a-f]{12}) [^\n]*: claimed")]
    private static partial Regex ClaimedLine();
}
