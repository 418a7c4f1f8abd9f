using System.Globalization;
using Dapper;
using Reporting.Tests.Support;

namespace Reporting.Tests;

/// <summary>
/// The comparison of two sweeps of real trials (the Runner trained both): the setting they differ in is named and
/// left out of matching, matched configurations stand side by side with their difference and overlaid curves, and
/// the configurations only one sweep has are listed.
/// </summary>
[Collection(RealSweepCollection.Name)]
public sealed class ComparisonReportTests : IClassFixture<RealSweepComparison>
{
    private const string A = RealSweep.Sweep, B = RealSweepComparison.Other;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly RealSweepComparison _comparison;
    private readonly ReportResult _result;
    private readonly string _md;

    public ComparisonReportTests(RealSweepReport real, RealSweepComparison comparison)
    {
        _comparison = comparison;
        _result = comparison.Result(real.Sweep);
        _md = File.ReadAllText(_result.ReportPath);
    }

    private Dictionary<(string Sweep, string Cell, long Hidden, long SeqLen), (double Best, long Epoch, double Final)> Summary()
    {
        using var c = _comparison.Connect();
        return c.Query<(string, string, long, long, double, long, double)>(
                "SELECT sweep, cell, hidden, seq_len, best_val_loss, best_epoch, final_val_loss FROM trial_summary WHERE sweep IN (@A, @B)", new { A, B })
            .ToDictionary(r => (r.Item1, r.Item2, r.Item3, r.Item4), r => (r.Item5, r.Item6, r.Item7));
    }

    [Fact]
    public void It_is_written_beside_the_database_and_names_the_setting_the_sweeps_differ_in()
    {
        Assert.Equal(Path.Combine(Path.GetDirectoryName(_comparison.DbPath)!, $"{A}-vs-{B}"), _result.OutDir);
        Assert.StartsWith($"# Sweep comparison: {A} and {B}\n", _md);
        var differ = ReportFolder.Section(_md, 1);
        Assert.Contains($"| setting | {A} | {B} |\n|---|---|---|\n| `train.lr` | `0.01` | `0.02` |\n", differ);
        Assert.Contains($"Two configurations match when every other setting is equal (cell type, hidden size and sequence length among them); "
            + "trials that differ only in their seed are repeats of one configuration (mean ± standard deviation over completed seeds). "
            + $"2 configurations matched; 6 only in {A}, 2 only in {B} (listed in section 4).", differ);
        _comparison.Before!.AssertSameAs(_comparison.After!);
    }

    [Fact]
    public void Matched_configurations_stand_side_by_side_with_their_difference()
    {
        var s = Summary();
        var matched = ReportFolder.Section(_md, 2);
        var diffs = new List<double>();
        foreach (var cell in RealSweep.Cells)
        {
            var (a, b) = (s[(A, cell, 16, 8)], s[(B, cell, 16, 8)]);
            diffs.Add(b.Best - a.Best);
            Assert.Contains($"| {cell} · hidden 16 · seq\\_len 8 | {F(a.Best)} | {F(b.Best)} | {Delta(b.Best - a.Best)} | {a.Epoch} / {b.Epoch} | completed / completed |", matched);
        }
        Assert.Contains($"Over 2 matched configurations completed in both, {B} had the lower best validation loss in {diffs.Count(d => d < 0)} and {A} in {diffs.Count(d => d > 0)}; "
            + $"mean difference {B} − {A} {Delta(diffs.Average())} (from {Delta(diffs.Min())} to {Delta(diffs.Max())}).", matched);
        Assert.Contains("figures/1-best-val-loss-matched.png", matched);
        var dots = new SvgFigure(Path.Combine(_result.OutDir, "figures/1-best-val-loss-matched.svg"));
        Assert.Contains(A, dots.Texts); // the legend names both sweeps
        Assert.Contains(B, dots.Texts);
    }

    [Fact]
    public void The_validation_curves_of_each_matched_configuration_are_overlaid_on_one_shared_y_axis()
    {
        var svg = new SvgFigure(Path.Combine(_result.OutDir, "figures/2-val-loss-overlaid-1.svg"));
        Assert.Equal(["gru · hidden 16 · seq_len 8", "lstm · hidden 16 · seq_len 8"], svg.Panels.Select(p => p.Title));
        Assert.Equal(svg.Panels[0].YTicks, svg.Panels[1].YTicks);
        Assert.Contains(A, svg.Texts); // the legend names both sweeps
        Assert.Contains(B, svg.Texts);
        using var c = _comparison.Connect();
        var (min, max) = c.QuerySingle<(double, double)>("""
            SELECT MIN(m.value), MAX(m.value) FROM metrics m JOIN trial_summary s ON s.trial_id = m.trial_id
            WHERE m.name = 'val_loss' AND s.hidden = 16 AND s.seq_len = 8 AND s.sweep IN (@A, @B)
            """, new { A, B });
        Assert.All(svg.Panels, p => Assert.True(p.YMin <= min && max <= p.YMax, $"{p.Title}: y {p.YMin}..{p.YMax} does not hold {min}..{max}"));
        Assert.Contains($"Validation loss per epoch of each matched configuration: {A} solid with filled circles, {B} dashed with open squares. "
            + $"Every panel of every figure here shares one y axis ({svg.Panels[0].YMin.ToString("0.00", Inv)} to {svg.Panels[0].YMax.ToString("0.00", Inv)} nats per character).",
            ReportFolder.Section(_md, 3));
    }

    [Fact]
    public void Configurations_only_one_sweep_has_are_listed_with_their_results()
    {
        var s = Summary();
        var only = ReportFolder.Section(_md, 4);
        var onlyA = s.Keys.Where(k => k.Sweep == A && !(k.Hidden == 16 && k.SeqLen == 8)).ToList();
        var onlyB = s.Keys.Where(k => k.Sweep == B && k.Hidden == 24).ToList();
        Assert.Equal((6, 2), (onlyA.Count, onlyB.Count));
        var partA = only[only.IndexOf($"### Only in {A}", StringComparison.Ordinal)..only.IndexOf($"### Only in {B}", StringComparison.Ordinal)];
        var partB = only[only.IndexOf($"### Only in {B}", StringComparison.Ordinal)..];
        foreach (var (part, keys) in new[] { (partA, onlyA), (partB, onlyB) })
            foreach (var k in keys)
                Assert.Contains($"| {k.Cell} · hidden {k.Hidden} · seq\\_len {k.SeqLen} | completed | {F(s[k].Best)} | {F(s[k].Final)} |", part);

        var best = ReportFolder.Section(_md, 5);
        foreach (var cell in RealSweep.Cells)
        {
            string Best(string sweep) => s.Where(kv => kv.Key.Sweep == sweep && kv.Key.Cell == cell).MinBy(kv => kv.Value.Best) is var b
                ? $"{F(b.Value.Best)} ({cell} · hidden {b.Key.Hidden} · seq\\_len {b.Key.SeqLen})" : "";
            Assert.Contains($"| {cell} | {Best(A)} | {Best(B)} |", best);
        }
    }

    private static string F(double v) => v.ToString("0.0000", Inv);
    private static string Delta(double v) => (v >= 0 ? "+" : "−") + Math.Abs(v).ToString("0.0000", Inv);
}
