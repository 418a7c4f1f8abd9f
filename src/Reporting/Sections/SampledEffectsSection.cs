using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>
/// 5. for a sampled (random-search) sweep: one scatter figure per sampled parameter (each trial's best validation
/// loss against the parameter's value; a log axis for a log-uniform one, categories for a list or choice), which
/// parameter mattered most (<see cref="ParamImportance"/>), and the table of every configuration, best first.
/// </summary>
internal static class SampledEffectsSection
{
    private const string LossAxis = "best validation loss (nats per character)";

    public static void Write(ReportContext ctx, MarkdownWriter md, SampledSpace space)
    {
        var d = ctx.Design;
        md.Heading(2, "5. Effect of the sampled parameters");
        var plotted = d.Trials.Where(Plotted).ToList();
        var left = d.Trials.Where(t => !Plotted(t)).ToList();
        var y = AxisRange.Padded(plotted.Select(t => t.Stats.BestValLoss!.Value));
        var importance = ParamImportance.Of(space, d);

        var intro = $"The sweep drew its configurations at random (search: random, {Format.Plural(space.Search.Trials ?? d.Configs.Count, "draw")}, seed {space.Search.Seed}) "
            + "instead of listing a grid, so each figure plots every trial's best validation loss against one sampled parameter. "
            + "Filled markers: completed trials; open markers: trials stopped early (their best loss before they were stopped, after fewer epochs)."
            + (d.Cells.Count > 1 ? " Colour and marker shape: cell type." : "");
        if (y is { } range) intro += $" All figures share one y axis ({range.Show()} nats per character).";
        if (left.Count > 0) intro += $" Not drawn, having no final best validation loss: {OverviewSection.StateCounts(left)}.";
        md.Paragraph(intro);

        var n = 1;
        if (space.Params.Count == 0)
            md.Paragraph("No sampled parameter has taken more than one value yet, so there is no effect to show.");
        foreach (var p in space.Params)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"5.{n++} Effect of {p.Factor.Label}");
            var text = $"{Format.Capitalize(Md.Text(p.Factor.Label))} was drawn {p.Drawn}"
                + (p.IsLog ? ", so the x axis is logarithmic (ticks at 1 and 3 times powers of ten where they fit)." : p.IsNumeric ? "." : "; its values are categories on the x axis, the points of each spread sideways so they do not hide each other.");
            if (importance.Shares.FirstOrDefault(s => s.Param == p) is { } share && importance.Trials >= 2)
                text += $" {share.Statistic(importance.Trials)}, from {Format.Plural(importance.Trials, "completed trial")}.";
            md.Paragraph(text);
            if (y is not { } yRange)
            {
                md.Paragraph("No trial has a validation loss yet.");
                continue;
            }
            var figure = FigureRenderer.Draw(Scatter(ctx, p, plotted, yRange));
            md.Image($"Best validation loss by {p.Factor.Label}", ctx.Figures.Add($"5-best-val-loss-by-{p.Factor.Short}", figure));
        }

        md.Heading(3, $"5.{n++} Which parameter mattered most");
        md.Paragraph(importance.Verdict());
        md.Paragraph("Method: " + ParamImportance.Method
            + (left.Count > 0 || plotted.Count > importance.Trials ? " Trials stopped early, and those not finished, are left out: their loss comes from a shorter training." : ""));
        if (importance.Shares.Count > 0 && importance.Trials >= 2) md.Bullets(importance.Shares.Select(s => s.Describe(importance.Trials)).ToList());

        md.Heading(3, $"5.{n} Every configuration");
        FactorEffectsSection.Table(ctx, md, BestFirst(d.Configs));
        md.Paragraph("Sorted by best validation loss, completed configurations first.");
    }

    /// <summary>Completed or stopped with a validation loss: the trials a scatter shows.</summary>
    private static bool Plotted(TrialView t) => t.Data.State is TrialStates.Completed or TrialStates.Stopped && t.Stats.BestValLoss is not null;

    /// <summary>Completed configurations by their best validation loss, then the rest in grid order.</summary>
    internal static IReadOnlyList<ConfigGroup> BestFirst(IReadOnlyList<ConfigGroup> configs) =>
        configs.OrderBy(c => c.Final(s => s.BestValLoss) is null)
            .ThenBy(c => c.Final(s => s.BestValLoss)?.Mean ?? 0)
            .ThenBy(c => c.Ordinal)
            .ToList();

    private static ScatterFigure Scatter(ReportContext ctx, SampledParam p, IReadOnlyList<TrialView> plotted, AxisRange y)
    {
        var d = ctx.Design;
        var levels = p.Factor.Levels;
        Func<TrialView, double> x;
        AxisRange xRange;
        IReadOnlyList<(double At, string Label)>? ticks = null;
        if (p.IsNumeric)
        {
            double low = p.Axis.Low!.Value, high = p.Axis.High!.Value;
            x = t => p.X(t.ValueOf(p.Factor))!.Value;
            var (a, b) = p.IsLog ? (Math.Log10(low), Math.Log10(high)) : p.Axis.IsWhole ? (low - 0.5, high + 0.5) : (low, high);
            var pad = (b - a) * 0.04;
            xRange = new AxisRange(a - pad, b + pad);
            if (p.IsLog) ticks = LogTicks.Between(low, high);
        }
        else
        {
            // A strip plot: each category's points spread evenly across a band in trial order, the same every time.
            var offsets = plotted.GroupBy(t => t.ValueOf(p.Factor))
                .SelectMany(g => g.OrderBy(t => t.Data.Member.Ordinal).Select((t, j) => (t, Offset: g.Count() == 1 ? 0 : -0.2 + 0.4 * j / (g.Count() - 1))))
                .ToDictionary(e => e.t, e => e.Offset);
            x = t => p.Factor.IndexOf(t.ValueOf(p.Factor)) + offsets[t];
            xRange = new AxisRange(-0.6, levels.Count - 0.4);
            ticks = levels.Select((l, i) => ((double)i, l.Text)).ToList();
        }
        var series = new List<ScatterSeries>();
        foreach (var cell in d.Cells)
            foreach (var completed in new[] { true, false })
            {
                var points = plotted.Where(t => t.Cell == cell && t.IsCompleted == completed).ToList();
                if (points.Count == 0) continue;
                var label = (d.Cells.Count > 1 ? cell.ToUpperInvariant() + ", " : "") + (completed ? "completed" : "stopped early");
                series.Add(new ScatterSeries(label, points.Select(x).ToArray(), points.Select(t => t.Stats.BestValLoss!.Value).ToArray(),
                    Palette.Of(ctx.CellIndex(cell), completed ? 0 : 1)));
            }
        return new ScatterFigure($"Best validation loss by {p.Factor.Label}", p.Factor.AxisLabel + (p.IsLog ? ", log scale" : ""), LossAxis, series, xRange, ticks, y);
    }
}
