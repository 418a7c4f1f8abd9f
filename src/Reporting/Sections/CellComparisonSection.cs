using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>6. Each cell type against LSTM on configurations that differ only in the cell: loss, best epoch, overfitting gap, speed.</summary>
internal sealed class CellComparisonSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        md.Heading(2, $"6. {CellPairs.Title(d)}");
        var reference = CellPairs.Reference(d);
        if (reference is null)
        {
            md.Paragraph(d.Cells.Count == 1 ? $"The sweep has only {Md.Text(d.Cells[0])} trials; there is nothing to compare." : "No trials.");
            return;
        }
        md.Paragraph("Matched configurations: the same settings except the cell type. Gap = validation minus training loss at the last epoch "
            + "(how much better the model fits the text it trained on); throughput = mean characters/s over the epochs; time = sum of epoch times. "
            + (d.MaxSeeds > 1 ? "Values are means over completed seeds (± standard deviation). " : "")
            + "Only completed configurations are compared.");

        foreach (var challenger in CellPairs.Challengers(d))
        {
            ctx.Ct.ThrowIfCancellationRequested();
            var pairs = CellPairs.Of(d, challenger);
            string C = challenger.ToUpperInvariant(), R = reference.ToUpperInvariant();
            md.Heading(3, $"{C} versus {R}");
            if (pairs.Count == 0) { md.Paragraph($"No configuration was run with both {challenger} and {reference}."); continue; }
            string Both(CellPair p, Func<TrialStats, double?> metric, Func<double?, string> format) =>
                $"{Stat.Show(p.Challenger.Final(metric), format)} / {Stat.Show(p.Reference.Final(metric), format)}";
            var others = d.Others;
            md.Table(
                [.. others.Select(f => f.Short), $"best val loss {C} / {R}", $"best epoch {C} / {R}", $"gap {C} / {R}", $"chars/s {C} / {R}", $"time {C} / {R}", "lower best val loss"],
                pairs.Select(p => (IReadOnlyList<string>)
                [
                    .. others.Select(f => Md.Text(p.Challenger.ValueOf(f).Text)),
                    Both(p, s => s.BestValLoss, Format.Loss),
                    Both(p, s => s.BestEpoch, v => v is { } x ? Format.Number(x, "0.#") : Format.Missing),
                    Both(p, s => s.Gap, Format.Loss),
                    Both(p, s => s.CharsPerSec, Format.Rate),
                    Both(p, s => s.TrainSeconds, Format.Seconds),
                    p.Difference is { } diff ? (diff < 0 ? $"{C} by {Format.Loss(-diff)}" : diff > 0 ? $"{R} by {Format.Loss(diff)}" : "tie") : Format.Missing,
                ]),
                new string('l', others.Count) + "rrrrrl");
            md.Paragraph(Summary(pairs, C, R));
        }

        Figure(ctx, md);
    }

    /// <summary>Wins, mean difference, and speed/time ratios over the completed pairs.</summary>
    internal static string Summary(IReadOnlyList<CellPair> pairs, string c, string r)
    {
        var done = pairs.Where(p => p.Complete).ToList();
        if (done.Count == 0) return $"No matched pair has completed both {c} and {r} yet.";
        var diffs = done.Select(p => p.Difference!.Value).ToList();
        var cWins = diffs.Count(x => x < 0);
        var rWins = diffs.Count(x => x > 0);
        var s = $"Over {Format.Plural(done.Count, "completed matched pair")}, {c} had the lower best validation loss in {cWins} and {r} in {rWins}"
            + (done.Count - cWins - rWins > 0 ? $" ({done.Count - cWins - rWins} tied)" : "")
            + $"; mean difference {c} − {r} {Format.Delta(diffs.Average())} (from {Format.Delta(diffs.Min())} to {Format.Delta(diffs.Max())}).";
        var speed = Ratio(done, st => st.CharsPerSec);
        if (speed is { } sp) s += $" {c} processed {Format.Number(sp, "0.00")}× the characters per second of {r} (mean ratio over pairs)";
        var time = Ratio(done, st => st.TrainSeconds);
        if (time is { } tm) s += (speed is null ? $" {c} took " : " and took ") + $"{Format.Number(tm, "0.00")}× its training time.";
        else if (speed is not null) s += ".";
        var gap = done.Select(p => p.Challenger.Final(x => x.Gap)?.Mean - p.Reference.Final(x => x.Gap)?.Mean).OfType<double>().ToList();
        if (gap.Count > 0) s += $" Mean gap difference {c} − {r}: {Format.Delta(gap.Average())}.";
        return s;
    }

    private static double? Ratio(IReadOnlyList<CellPair> pairs, Func<TrialStats, double?> metric)
    {
        var ratios = pairs.Select(p => p.Challenger.Final(metric)?.Mean / p.Reference.Final(metric)?.Mean)
            .OfType<double>().Where(double.IsFinite).ToList();
        return ratios.Count > 0 ? ratios.Average() : null;
    }

    private static void Figure(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        var groups = d.HoldFixed(d.Cell).Where(g => g.Select(c => c.Cell).Distinct().Count() > 1 && g.Any(c => c.HasResult)).ToList();
        if (groups.Count == 0) return;
        var categories = groups.Select(g => d.Others.Count > 0 ? string.Join("\n", d.Others.Select(f => f.Describe(g[0].ValueOf(f)))) : "all").ToList();
        var series = d.Cells.Select((cell, i) => new PairedSeries(cell.ToUpperInvariant(), ctx.ColorOf(cell), Palette.Marker(i),
            groups.Select(g => g.FirstOrDefault(c => c.Cell == cell)?.Final(s => s.BestValLoss)?.Mean).ToList())).ToList();
        var png = FigureRenderer.Render(new PairedFigure("Best validation loss on matched configurations", "best validation loss (nats per character)",
            "configuration (same settings, different cell type)", categories, series));
        md.Image("Best validation loss per matched configuration and cell type", ctx.Figures.Add("6-best-val-loss-by-cell", png));
    }
}
