using Core.Store;
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
            SpeedFigure(ctx, md, withCaveat: true);
            return;
        }
        md.Paragraph("Matched configurations: the same settings except the cell type. Gap = validation minus training loss at the last epoch; "
            + "training loss is the mean over the epoch's steps while validation loss is measured at its end, so a negative gap does not mean "
            + "the model does better on unseen text. Throughput = mean characters/s over the epochs; time = sum of the epochs' wall-clock seconds. "
            + (d.MaxSeeds > 1 ? "Values are means over completed seeds (± standard deviation). " : "")
            + "Only completed configurations are compared.");

        foreach (var challenger in CellPairs.Challengers(d))
        {
            ctx.Ct.ThrowIfCancellationRequested();
            var pairs = CellPairs.Of(d, challenger);
            string C = challenger.ToUpperInvariant(), R = reference.ToUpperInvariant();
            md.Heading(3, $"{C} versus {R}");
            if (pairs.Count == 0)
            {
                md.Paragraph($"No configuration was run with both {challenger} and {reference}."
                    + (ctx.Sampled?.Params.Any(p => p.Factor.IsCell) == true
                        ? " The sweep drew its configurations at random, so matched pairs are rare; section 5 plots the loss by cell type over all trials instead." : ""));
                continue;
            }
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
        md.Paragraph(SpeedNotes.Caveat(d));

        Figure(ctx, md);
        SpeedFigure(ctx, md, withCaveat: false);
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
        var speed = SpeedNotes.Ratio(done, st => st.CharsPerSec);
        if (speed is { } sp) s += $" {c} processed {Format.Number(sp.Mean, "0.00")}× the characters per second of {r} ({Spread(sp)})";
        var time = SpeedNotes.Ratio(done, st => st.TrainSeconds);
        if (time is { } tm) s += (speed is null ? $" {c} took " : " and took ") + $"{Format.Number(tm.Mean, "0.00")}× its training time ({Spread(tm)}).";
        else if (speed is not null) s += ".";
        var gap = done.Select(p => p.Challenger.Final(x => x.Gap)?.Mean - p.Reference.Final(x => x.Gap)?.Mean).OfType<double>().ToList();
        if (gap.Count > 0) s += $" Mean gap difference {c} − {r}: {Format.Delta(gap.Average())}.";
        return s;
    }

    /// <summary>"mean ratio over 9 pairs, from 0.52× to 0.81×", or "one pair".</summary>
    private static string Spread((double Mean, double Min, double Max, int N) r) => r.N == 1
        ? "one pair"
        : $"mean ratio over {r.N} pairs, from {Format.Number(r.Min, "0.00")}× to {Format.Number(r.Max, "0.00")}×";

    private static void Figure(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        var groups = d.HoldFixed(d.Cell).Where(g => g.Select(c => c.Cell).Distinct().Count() > 1 && g.Any(c => c.HasResult)).ToList();
        if (groups.Count == 0) return;
        var series = d.Cells.Select(cell => new DotSeries(cell.ToUpperInvariant(), ctx.CellStyle(cell),
            groups.Select(g => g.FirstOrDefault(c => c.Cell == cell)?.Final(s => s.BestValLoss) is { } st ? new DotValue(st.Mean) : (DotValue?)null).ToList())).ToList();
        var figure = FigureRenderer.Draw(new DotFigure([new DotPanel("Best validation loss on matched configurations", "best validation loss (nats per character)",
            "configuration (same settings, different cell type)", Categories(d, groups), series, Link: true)]));
        md.Image("Best validation loss per matched configuration and cell type", ctx.Figures.Add("6-best-val-loss-by-cell", figure));
    }

    /// <summary>One label per configuration without its cell type: "hidden 32\nseq_len 25", or "all".</summary>
    private static List<string> Categories(Design d, IReadOnlyList<IReadOnlyList<ConfigGroup>> groups) =>
        groups.Select(g => d.Others.Count > 0 ? string.Join("\n", d.Others.Select(f => f.Describe(g[0].ValueOf(f)))) : "all").ToList();

    /// <summary>
    /// Characters/s and wall-clock training time of every completed configuration, per cell type, with the spread
    /// that is known: over seeds when there are repeats, over the epochs of the one run otherwise.
    /// </summary>
    private static void SpeedFigure(ReportContext ctx, MarkdownWriter md, bool withCaveat)
    {
        var d = ctx.Design;
        var groups = d.HoldFixed(d.Cell).Where(g => g.Any(c => c.HasResult && c.Final(s => s.CharsPerSec) is not null)).ToList();
        if (groups.Count == 0) return;
        md.Heading(3, "Throughput and training time per configuration");
        var repeats = d.MaxSeeds > 1;
        var seconds = groups.SelectMany(g => g).Select(c => c.Final(s => s.TrainSeconds)?.Max).OfType<double>().DefaultIfEmpty(0).Max();
        var (unit, unitName) = seconds >= 120 ? (60.0, "minutes") : (1.0, "seconds");
        DotValue? Rate(ConfigGroup? c)
        {
            if (c?.Final(s => s.CharsPerSec) is not { } st) return null;
            if (repeats && st.N > 1) return new DotValue(st.Mean, st.Min, st.Max);
            var epochs = c.Completed[0].Data.Metric(MetricNames.CharsPerSec).Select(m => m.Value).ToList();
            return epochs.Count > 1 ? new DotValue(st.Mean, epochs.Min(), epochs.Max()) : new DotValue(st.Mean);
        }
        DotValue? Time(ConfigGroup? c) => c?.Final(s => s.TrainSeconds) is { } st
            ? new DotValue(st.Mean / unit, st.N > 1 ? st.Min / unit : null, st.N > 1 ? st.Max / unit : null)
            : null;
        var categories = Categories(d, groups);
        var rates = d.Cells.Select(cell => new DotSeries(cell.ToUpperInvariant(), ctx.CellStyle(cell),
            groups.Select(g => Rate(g.FirstOrDefault(c => c.Cell == cell))).ToList())).ToList();
        var times = d.Cells.Select(cell => new DotSeries(cell.ToUpperInvariant(), ctx.CellStyle(cell),
            groups.Select(g => Time(g.FirstOrDefault(c => c.Cell == cell))).ToList())).ToList();
        md.Paragraph("Top: mean training characters per second; bottom: wall-clock time of training (the sum of the epochs' seconds, validation included). "
            + (repeats
                ? "Dots are means over completed seeds, whiskers span the slowest to the fastest seed."
                : "Dots are single runs; in the top panel, whiskers span the trial's slowest to fastest epoch.")
            + (withCaveat ? " " + SpeedNotes.Caveat(d) : " How far these speeds can be trusted: see the note above."));
        var figure = FigureRenderer.Draw(new DotFigure(
        [
            new DotPanel("Throughput", "training characters per second", "configuration", categories, rates, Link: false),
            new DotPanel("Training time", $"wall-clock time ({unitName})", "configuration", categories, times, Link: false),
        ]));
        md.Image("Throughput and training time per configuration and cell type", ctx.Figures.Add("6-throughput-and-time", figure));
    }
}
