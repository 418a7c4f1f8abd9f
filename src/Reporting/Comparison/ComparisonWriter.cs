using Core.Config;
using System.Text;
using Core.Store;
using Reporting.Analysis;
using Reporting.Data;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Comparison;

/// <summary>
/// The comparison report of two sweeps (<c>orchestrator report A B</c>): report.md and its figures in
/// &lt;database folder&gt;/&lt;A&gt;-vs-&lt;B&gt;/. It says in which settings the sweeps differ, sets each matched
/// configuration's best validation loss side by side with the difference, overlays their validation curves,
/// and lists the configurations only one sweep has. Reads the database only; the same database gives the same bytes.
/// </summary>
public sealed class ComparisonWriter(Database db, IReadOnlyList<FigureFormat>? formats = null)
{
    private const string LossAxis = "validation loss (nats per character)";
    /// <summary>Panels per figure of overlaid curves (3 × 3).</summary>
    private const int PanelsPerFigure = 9;
    private readonly IReadOnlyList<FigureFormat> _formats = formats is { Count: > 0 } f ? f : FigureFormats.Default;

    /// <summary>
    /// Writes the comparison of <paramref name="sweepA"/> and <paramref name="sweepB"/> into <paramref name="outDir"/>
    /// (null: &lt;database folder&gt;/&lt;A&gt;-vs-&lt;B&gt;/). Throws <see cref="SweepNotFoundException"/> for an unknown sweep and
    /// <see cref="ReportException"/> for the same sweep twice, a folder that cannot be written or figure text that cannot be drawn.
    /// </summary>
    public ReportResult Write(string sweepA, string sweepB, string? outDir, CancellationToken ct)
    {
        if (sweepA == sweepB) throw new ReportException($"report {sweepA} {sweepB}: give two different sweeps to compare");
        FigureFont.EnsureReady();
        var sweeps = new SweepRepository(db);
        var (rowA, rowB) = (sweeps.Find(sweepA), sweeps.Find(sweepB));
        var dir = Path.GetFullPath(outDir ?? Path.Combine(db.Folder, ReportWriter.FolderName($"{rowA.Name}-vs-{rowB.Name}")));
        ReportWriter.EnsureWritable(dir);

        var (dataA, dataB) = (SweepLoader.Load(db, rowA, ct), SweepLoader.Load(db, rowB, ct));
        var match = SweepMatch.Of(Design.Build(dataA), Design.Build(dataB));
        var figures = new FigureSet(new FigureOptions(_formats, dataA.LastChange > dataB.LastChange ? dataA.LastChange : dataB.LastChange));
        var md = new MarkdownWriter();
        var (a, b) = (rowA.Name, rowB.Name);
        Header(md, dataA, dataB, match);
        Differences(md, match, a, b);
        ct.ThrowIfCancellationRequested();
        Matched(md, match, figures, a, b);
        ct.ThrowIfCancellationRequested();
        Curves(md, match, figures, a, b, ct);
        OnlyOne(md, match, a, b);
        BestPerCell(md, match, a, b);

        var outputs = new List<(string Relative, byte[] Bytes)> { (ReportWriter.ReportFile, new UTF8Encoding(false).GetBytes(md.ToString())) };
        outputs.AddRange(figures.All);
        ct.ThrowIfCancellationRequested();
        var files = ReportWriter.WriteAll(dir, outputs);
        return new ReportResult($"{a} vs {b}", dir, Path.Combine(dir, ReportWriter.ReportFile), files);
    }

    private static void Header(MarkdownWriter md, SweepData a, SweepData b, SweepMatch m)
    {
        md.Heading(1, $"Sweep comparison: {Md.Text(a.Sweep.Name)} and {Md.Text(b.Sweep.Name)}");
        md.Paragraph($"Database {Md.Code(a.DatabaseName)}. Differences are {Md.Text(b.Sweep.Name)} minus {Md.Text(a.Sweep.Name)}; losses in nats per character.");
        md.Table(["sweep", "spec", "trials", "created", "last updated"],
            new[] { (Data: a, Design: m.A), (Data: b, Design: m.B) }.Select(x => (IReadOnlyList<string>)
            [
                Md.Text(x.Data.Sweep.Name), x.Data.Sweep.SpecPath is { Length: > 0 } p ? Md.Code(p) : Format.Missing,
                $"{x.Design.Trials.Count}: {Sections.OverviewSection.StateCounts(x.Design.Trials)}",
                Md.Text(x.Data.Sweep.CreatedAt), Md.Text(SweepClock.Show(x.Data.LastChange)),
            ]));
    }

    private static void Differences(MarkdownWriter md, SweepMatch m, string a, string b)
    {
        md.Heading(2, "1. How the sweeps differ");
        if (m.Differences.Count == 0)
            md.Paragraph("The sweeps hold no setting at different values; configurations match when all their settings are equal.");
        else
        {
            md.Paragraph("Settings each sweep holds at one value, different between them. They are left out when configurations are matched:");
            md.Table(["setting", Md.Text(a), Md.Text(b)],
                m.Differences.Select(x => (IReadOnlyList<string>)[Md.Code(x.Path), Md.Code(x.A.Text), Md.Code(x.B.Text)]));
        }
        var shown = m.Shown.Select(p => Parameters.Describe(p).Label).ToList();
        md.Paragraph($"Two configurations match when every other setting is equal"
            + (shown.Count > 0 ? $" ({Format.List(shown)} among them)" : "")
            + "; trials that differ only in their seed are repeats of one configuration (mean ± standard deviation over completed seeds). "
            + $"{Format.Plural(m.Matched.Count, "configuration")} matched; {m.OnlyA.Count} only in {Md.Text(a)}, {m.OnlyB.Count} only in {Md.Text(b)} (listed in section 4).");
    }

    private static void Matched(MarkdownWriter md, SweepMatch m, FigureSet figures, string a, string b)
    {
        md.Heading(2, "2. Matched configurations");
        if (m.Matched.Count == 0)
        {
            md.Paragraph("No configuration was run in both sweeps, so none can be set side by side; section 5 compares the best of each cell type.");
            return;
        }
        string Loss(ConfigGroup c) => c.HasResult ? Stat.Show(c.Final(s => s.BestValLoss), Format.Loss) : $"*{Stat.Show(c.SoFar(s => s.BestValLoss), Format.Loss)}*";
        string Epoch(ConfigGroup c) => Stat.Show(c.HasResult ? c.Final(s => s.BestEpoch) : null, v => v is { } x ? Format.Number(x, "0.#") : Format.Missing);
        md.Table(["configuration", $"best val loss {Md.Text(a)}", $"best val loss {Md.Text(b)}", $"{Md.Text(b)} − {Md.Text(a)}", "best epoch", "state"],
            m.Matched.Select(x => (IReadOnlyList<string>)
            [
                Md.Text(m.Describe(x.A)), Loss(x.A), Loss(x.B), Format.Delta(x.Difference),
                $"{Epoch(x.A)} / {Epoch(x.B)}", Md.Short($"{x.A.StateText} / {x.B.StateText}", 80),
            ]), "lrrrrl");
        var done = m.Matched.Where(x => x.Difference is not null).ToList();
        var notes = new List<string>();
        if (done.Count > 0)
        {
            var diffs = done.Select(x => x.Difference!.Value).ToList();
            notes.Add($"Over {Format.Plural(done.Count, "matched configuration")} completed in both, {Md.Text(b)} had the lower best validation loss in {diffs.Count(d => d < 0)} "
                + $"and {Md.Text(a)} in {diffs.Count(d => d > 0)}"
                + (diffs.Count(d => d == 0) is > 0 and var ties ? $" ({ties} tied)" : "")
                + $"; mean difference {Md.Text(b)} − {Md.Text(a)} {Format.Delta(diffs.Average())} (from {Format.Delta(diffs.Min())} to {Format.Delta(diffs.Max())}).");
        }
        else notes.Add("No matched configuration has completed in both sweeps yet.");
        if (m.Matched.Any(x => !x.A.HasResult || !x.B.HasResult)) notes.Add("*Italic*: not completed; the value is what it recorded so far.");
        md.Paragraph(string.Join(" ", notes));

        var categories = m.Matched.Select(x => string.Join("\n", m.Describe(x.A).Split(" · "))).ToList();
        DotValue? Best(ConfigGroup c) => c.HasResult && c.Final(s => s.BestValLoss) is { } st ? new DotValue(st.Mean, st.N > 1 ? st.Min : null, st.N > 1 ? st.Max : null) : null;
        var figure = FigureRenderer.Draw(new DotFigure([new DotPanel("Best validation loss of matched configurations", "best validation loss (nats per character)",
            "configuration", categories,
            [
                new DotSeries(a, SweepStyle(0), m.Matched.Select(x => Best(x.A)).ToList()),
                new DotSeries(b, SweepStyle(1), m.Matched.Select(x => Best(x.B)).ToList()),
            ], Link: true)]));
        md.Image($"Best validation loss of every matched configuration, {a} and {b}", figures.Add("1-best-val-loss-matched", figure));
    }

    private static void Curves(MarkdownWriter md, SweepMatch m, FigureSet figures, string a, string b, CancellationToken ct)
    {
        md.Heading(2, "3. Validation curves overlaid");
        var panels = m.Matched.Select(x => (Pair: x, A: Curve.Of(x.A, MetricNames.ValLoss, byEpoch: true), B: Curve.Of(x.B, MetricNames.ValLoss, byEpoch: true)))
            .Where(x => !x.A.IsEmpty || !x.B.IsEmpty).ToList();
        if (panels.Count == 0)
        {
            md.Paragraph(m.Matched.Count == 0 ? "No matched configuration, so no curves to overlay." : "No matched configuration has finished an epoch yet.");
            return;
        }
        SeriesSpec Series(string sweep, int i, Curve c) =>
            new(sweep + (c.Seeds > 1 ? $" (mean of {c.Seeds} seeds)" : ""), c.X, c.Y, SweepStyle(i), AllMarkers: true, c.Sd);
        var specs = panels.Select(x => new PanelSpec(m.Describe(x.Pair.A), "epoch", LossAxis, [Series(a, 0, x.A), Series(b, 1, x.B)], EpochAxis: true, ShowLegend: false)).ToList();
        var range = AxisRange.Padded(specs.SelectMany(p => p.Series));
        md.Paragraph($"Validation loss per epoch of each matched configuration: {Md.Text(a)} solid with filled circles, {Md.Text(b)} dashed with open squares"
            + (range is { } r ? $". Every panel of every figure here shares one y axis ({r.Show()} nats per character)." : ".")
            + " With several seeds a line is their mean and the band ± one standard deviation.");
        var chunks = specs.Chunk(PanelsPerFigure).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = chunks[i].ToList();
            chunk[0] = chunk[0] with { ShowLegend = true };
            var figure = FigureRenderer.Draw(new LineFigure(chunk, range));
            var part = chunks.Count > 1 ? $" ({i + 1} of {chunks.Count})" : "";
            md.Image($"Validation loss per epoch, {a} and {b}{part}", figures.Add($"2-val-loss-overlaid-{i + 1}", figure));
        }
    }

    private static void OnlyOne(MarkdownWriter md, SweepMatch m, string a, string b)
    {
        md.Heading(2, "4. Configurations only one sweep has");
        foreach (var (sweep, configs) in new[] { (a, m.OnlyA), (b, m.OnlyB) })
        {
            md.Heading(3, $"Only in {Md.Text(sweep)}");
            if (configs.Count == 0) { md.Paragraph("None."); continue; }
            md.Table(["configuration", "state", "best val loss", "final val loss"],
                configs.Select(c => (IReadOnlyList<string>)
                [
                    Md.Text(m.Describe(c)), Md.Short(c.StateText, 80),
                    Stat.Show(c.SoFar(s => s.BestValLoss), Format.Loss), Stat.Show(c.SoFar(s => s.FinalValLoss), Format.Loss),
                ]), "llrr");
        }
    }

    private static void BestPerCell(MarkdownWriter md, SweepMatch m, string a, string b)
    {
        md.Heading(2, "5. Best configuration of each cell type");
        var cells = m.A.Cells.Concat(m.B.Cells).Distinct().OrderBy(ConfigFields.CellRank).ThenBy(c => c, StringComparer.Ordinal).ToList();
        string Best(Design d, string cell)
        {
            var best = d.ConfigsOf(cell).Where(c => c.HasResult).MinBy(c => c.Final(s => s.BestValLoss)?.Mean ?? double.MaxValue);
            return best is null ? "no completed configuration" : $"{Stat.Show(best.Final(s => s.BestValLoss), Format.Loss)} ({Md.Text(m.Describe(best))})";
        }
        md.Paragraph("The completed configuration with the lowest best validation loss of each cell type in each sweep, matched or not.");
        md.Table(["cell", Md.Text(a), Md.Text(b)], cells.Select(c => (IReadOnlyList<string>)[Md.Text(c), Best(m.A, c), Best(m.B, c)]));
    }

    /// <summary>Sweep A: blue, filled circles, solid; sweep B: vermillion, open squares, dashed.</summary>
    private static SeriesStyle SweepStyle(int i) => Palette.Of(i, i);
}
