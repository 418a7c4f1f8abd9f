using System.Globalization;
using Core.Store;
using Dapper;
using Microsoft.Data.Sqlite;
using Reporting.Tests.Support;
using TestSupport;

namespace Reporting.Tests;

/// <summary>With several seeds per configuration (repeats), numbers are means ± standard deviation over the seeds.</summary>
public sealed class RepeatsTests : IDisposable
{
    private readonly TempDir _dir = new("report-repeats");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Each_configuration_shows_the_mean_and_standard_deviation_of_its_seeds()
    {
        var path = _dir.File("results/orchestrator.db");
        var store = new SyntheticStore(Database.Open(path));
        var trials = SyntheticStore.Grid(["gru", "lstm"], [32, 64], [8], repeats: 3, epochs: 3, logEvery: 5);
        store.Register("seeds", trials);
        foreach (var t in trials) store.Record(t, stepsPerEpoch: 20);
        SqliteConnection.ClearAllPools();

        var result = new ReportWriter(Database.OpenReadOnly(path)).Write("seeds", _dir.File("out"), CancellationToken.None);
        var md = File.ReadAllText(result.ReportPath);
        Assert.Contains("Grid: cell type ∈ {gru, lstm} × hidden size ∈ {32, 64}: 4 configurations, up to 3 seeds per configuration (train.seed varies).", md);
        Assert.Contains("| # | trial | cell | hidden | seed | state |", md);

        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        var rows = c.Query<(string Cell, long Hidden, long Seed, double Best)>(
            "SELECT cell, hidden, seed, best_val_loss FROM trial_summary WHERE sweep = 'seeds'").ToList();
        var factors = ReportFolder.Section(md, 5);
        foreach (var g in rows.GroupBy(r => (r.Cell, r.Hidden)))
        {
            var xs = g.Select(r => r.Best).ToList();
            var mean = xs.Average();
            var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
            Assert.Contains($"| {g.Key.Cell} | {g.Key.Hidden} | completed (3 seeds) |", factors);
            Assert.Contains($"| {F(mean)} ± {F(sd)} |", factors);
        }
        Assert.Contains("With several seeds: mean ± standard deviation over the completed seeds.", factors);

        var findings = ReportFolder.Section(md, 8);
        Assert.Contains("- Across seeds, the standard deviation of best validation loss averages", findings);
        Assert.Contains("exceeds the seeds' combined standard deviation", findings);
        Assert.Contains(", mean over 3 seeds.", findings);
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
