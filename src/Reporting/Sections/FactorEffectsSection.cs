using Core.Config;
using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>
/// 5. The effect of each varied factor (hidden size, sequence length, …) on validation loss with the
/// others held fixed, a table of every grid cell, and a heatmap of the first two factors per cell type;
/// for a sampled sweep <see cref="SampledEffectsSection"/> instead.
/// </summary>
internal sealed class FactorEffectsSection : ISection
{
    private const string LossAxis = "validation loss (nats per character)";

    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        if (ctx.Sampled is { } space)
        {
            SampledEffectsSection.Write(ctx, md, space);
            return;
        }
        var d = ctx.Design;
        md.Heading(2, d.Others.Count > 0
            ? $"5. {Format.Capitalize(Format.List(d.Others.Select(f => f.Label).ToList()))}"
            : "5. Effect of the grid's factors");
        if (d.Others.Count == 0)
            md.Paragraph(d.Trials.Count == 0 ? "No trials." : "The sweep varies no setting besides the cell type, so there is no factor effect to show; the table below lists every configuration.");

        var n = 1;
        foreach (var factor in d.Others)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"5.{n++} Effect of {factor.Label}");
            Effect(ctx, md, factor);
        }
        md.Heading(3, $"5.{n++} Every configuration");
        Table(ctx, md, d.Configs);
        if (d.Others.Count >= 2)
        {
            md.Heading(3, $"5.{n} Best validation loss, {d.Others[0].Label} × {d.Others[1].Label}");
            Heatmaps(ctx, md);
        }
    }

    private static void Effect(ReportContext ctx, MarkdownWriter md, Factor factor)
    {
        var d = ctx.Design;
        var held = d.Others.Where(f => f != factor).ToList();
        var figures = d.Cells.Select(cell =>
        {
            var panels = d.HoldFixed(factor).Where(g => g[0].Cell == cell).ToList();
            if (panels.All(g => g.All(c => c.CurveTrials.Count == 0))) return (Cell: cell, Specs: (List<PanelSpec>?)null);
            var specs = panels.Select(g =>
            {
                var title = held.Count == 0
                    ? $"Validation loss by {factor.Label}, {cell.ToUpperInvariant()}"
                    : string.Join(", ", new[] { cell.ToUpperInvariant() }.Concat(held.Select(f => f.Describe(g[0].ValueOf(f)))));
                var series = g.Select(c =>
                {
                    var curve = Curve.Of(c, MetricNames.ValLoss, byEpoch: true);
                    return ctx.Series(c, factor, curve, ctx.Label(c, [factor], curve), markers: true);
                }).ToList();
                return new PanelSpec(title, "epoch", LossAxis, series, EpochAxis: true, ShowLegend: false);
            }).ToList();
            specs[0] = specs[0] with { ShowLegend = true };
            return (Cell: cell, Specs: specs);
        }).ToList();
        var drawn = figures.Where(f => f.Specs is not null).ToList();
        var range = AxisRange.Padded(drawn.SelectMany(f => f.Specs!.SelectMany(p => p.Series)));

        var text = $"Validation loss per epoch for each {factor.Label}; "
            + (held.Count > 0 ? $"each panel holds {Format.List(held.Select(f => f.Label).ToList())} fixed. " : "")
            + ctx.StyleNote(factor) + ctx.SeedNote;
        if (range is { } r)
            text += drawn.Count > 1
                ? $" The {Format.List(drawn.Select(f => f.Cell.ToUpperInvariant()).ToList())} figures and all their panels share one y axis ({r.Show()} nats per character), so a height means the same loss in each."
                : $" All panels share one y axis ({r.Show()} nats per character).";
        if (factor.Path is Parameters.SeqLen or "train.batch_size" && TrainingNotes.EpochNote(d) is { Length: > 0 } epochs) text += " " + epochs;
        md.Paragraph(text);
        foreach (var (cell, specs) in figures)
        {
            if (specs is null)
            {
                md.Paragraph($"{cell.ToUpperInvariant()}: no validation loss recorded yet.");
                continue;
            }
            var figure = FigureRenderer.Draw(new LineFigure(specs, range));
            md.Image($"Validation loss by {factor.Label}, {cell}", ctx.Figures.Add($"5-val-loss-by-{factor.Short}-{cell}", figure));
            md.Paragraph(LevelMeans(d, factor, cell));
        }
    }

    /// <summary>"GRU: best validation loss averaged over …: hidden 256: 1.6234, …; range 0.1123."</summary>
    internal static string LevelMeans(Design d, Factor factor, string cell)
    {
        var configs = d.ConfigsOf(cell).ToList();
        var done = configs.Where(c => c.HasResult).ToList();
        if (done.Count == 0) return $"{cell.ToUpperInvariant()}: no completed configuration yet.";
        var means = LevelMeans(factor, done);
        var held = d.Others.Where(f => f != factor).Select(f => f.Label).ToList();
        var s = $"{cell.ToUpperInvariant()}, best validation loss by {factor.Label}"
            + (held.Count > 0 ? $" (mean over {Format.List(held)})" : "") + ": "
            + string.Join(", ", means.Select(m => $"{Md.Text(factor.Describe(m.Level))}: {Format.Loss(m.Mean)}"));
        if (means.Count > 1)
        {
            var best = means.MinBy(m => m.Mean);
            s += $"; lowest at {Md.Text(factor.Describe(best.Level))}, range {Format.Loss(means.Max(m => m.Mean) - means.Min(m => m.Mean))}";
        }
        if (done.Count < configs.Count) s += $" (from {done.Count} of {configs.Count} configurations; the rest have not completed)";
        return s + ".";
    }

    /// <summary>Per level, the mean over the given configurations of their (seed-averaged) best validation loss.</summary>
    internal static IReadOnlyList<(Level Level, double Mean, int Configs)> LevelMeans(Factor factor, IReadOnlyList<ConfigGroup> done) =>
        factor.Levels
            .Select(l => (Level: l, Values: done.Where(c => c.ValueOf(factor) == l).Select(c => c.Final(s => s.BestValLoss)?.Mean).OfType<double>().ToList()))
            .Where(x => x.Values.Count > 0)
            .Select(x => (x.Level, x.Values.Average(), x.Values.Count))
            .ToList();

    /// <summary>The table of <paramref name="configs"/> (every configuration of the design, in the order to show).</summary>
    internal static void Table(ReportContext ctx, MarkdownWriter md, IReadOnlyList<ConfigGroup> configs)
    {
        var d = ctx.Design;
        if (d.Configs.Count == 0) { md.Paragraph("No configurations."); return; }
        var anyPartial = false;
        string Cell(ConfigGroup c, Func<TrialStats, double?> metric, Func<double?, string> format)
        {
            var stat = c.SoFar(metric);
            if (stat is null) return Format.Missing;
            if (!c.IsPartial) return stat.Value.Show(format);
            anyPartial = true;
            return $"*{stat.Value.Show(format)}*";
        }
        var header = d.Factors.Select(f => f.Short).Concat(["state", "final val loss", "best val loss", "best epoch", "final val error", "best val error"]).ToList();
        var rows = configs.Select(c => (IReadOnlyList<string>)
        [
            .. d.Factors.Select(f => Md.Text(c.ValueOf(f).Text)),
            Md.Short(c.StateText, 80),
            Cell(c, s => s.FinalValLoss, Format.Loss),
            Cell(c, s => s.BestValLoss, Format.Loss),
            Cell(c, s => s.BestEpoch, v => v is { } x ? Format.Number(x, "0.#") : Format.Missing),
            Cell(c, s => s.FinalValError, Format.Percent),
            Cell(c, s => s.BestValError, Format.Percent),
        ]).ToList();
        md.Table(header, rows, new string('l', d.Factors.Count + 1) + "rrrrr");
        var notes = new List<string>();
        if (d.MaxSeeds > 1) notes.Add("With several seeds: mean ± standard deviation over the completed seeds.");
        if (anyPartial) notes.Add("*Italic*: the configuration has not completed; the value is what it recorded so far.");
        if (notes.Count > 0) md.Paragraph(string.Join(" ", notes));
    }

    private static void Heatmaps(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        Factor rows = d.Others[0], cols = d.Others[1];
        var rest = d.Others.Skip(2).Select(f => f.Label).ToList();
        var grids = d.Cells.Select(cell => (Cell: cell, Grid: HeatmapGrid(d, cell, rows, cols))).ToList();
        var drawn = grids.Where(g => g.Grid.Values.Cast<double>().Any(double.IsFinite)).ToList();
        var colour = AxisRange.Of(drawn.SelectMany(g => g.Grid.Values.Cast<double>()));
        md.Paragraph("Best validation loss of each completed configuration (darker is lower)"
            + (rest.Count > 0 ? $", averaged over {Format.List(rest)}" : "")
            + (d.MaxSeeds > 1 ? ", mean over seeds" : "")
            + "; unfinished cells are grey and name their state."
            + (drawn.Count > 1 && colour is { } c
                ? $" The {Format.List(drawn.Select(g => g.Cell.ToUpperInvariant()).ToList())} heatmaps share one colour scale, from {Format.Loss(c.Min)} to {Format.Loss(c.Max)} "
                  + "(the lowest and highest value in any of them), so a colour means the same loss in each."
                : ""));
        foreach (var (cell, (values, text)) in grids)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            if (colour is not { } scale || !values.Cast<double>().Any(double.IsFinite))
            {
                md.Paragraph($"{cell.ToUpperInvariant()}: no completed configuration yet.");
                continue;
            }
            var figure = FigureRenderer.Draw(new HeatmapFigure(
                $"Best validation loss (nats per character), {cell.ToUpperInvariant()}", cols.AxisLabel, rows.AxisLabel,
                cols.Levels.Select(l => l.Text).ToList(), rows.Levels.Select(l => l.Text).ToList(),
                values, text, scale));
            md.Image($"Heatmap of best validation loss, {cell}", ctx.Figures.Add($"5-heatmap-{rows.Short}-{cols.Short}-{cell}", figure));
        }
    }

    /// <summary>Per (row level, column level) the mean best validation loss of the cell's completed configurations (NaN if none) and its label.</summary>
    private static (double[,] Values, string[,] Text) HeatmapGrid(Design d, string cell, Factor rows, Factor cols)
    {
        var values = new double[rows.Levels.Count, cols.Levels.Count];
        var text = new string[rows.Levels.Count, cols.Levels.Count];
        for (var r = 0; r < rows.Levels.Count; r++)
            for (var c = 0; c < cols.Levels.Count; c++)
            {
                var configs = d.ConfigsOf(cell).Where(g => g.ValueOf(rows) == rows.Levels[r] && g.ValueOf(cols) == cols.Levels[c]).ToList();
                var stats = configs.Select(g => g.Final(s => s.BestValLoss)).OfType<Stat>().ToList();
                if (stats.Count > 0)
                {
                    values[r, c] = stats.Average(s => s.Mean);
                    text[r, c] = Format.Loss(values[r, c]) + (stats.Count == 1 && stats[0].N > 1 ? $"\n± {Format.Loss(stats[0].Sd)}" : "");
                }
                else
                {
                    values[r, c] = double.NaN;
                    text[r, c] = configs.Count == 0 ? "not in grid"
                        : string.Join("/", configs.SelectMany(g => g.Trials).Select(t => t.Data.State).Distinct().Order(StringComparer.Ordinal));
                }
            }
        return (values, text);
    }
}
