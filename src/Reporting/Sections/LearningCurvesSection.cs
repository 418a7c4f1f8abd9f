using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>2. Training loss against step (every logged step) and per epoch, with the validation loss beside it.</summary>
internal sealed class LearningCurvesSection : ISection
{
    private const string LossAxis = "loss (nats per character)";

    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "2. Learning curves");
        var d = ctx.Design;
        var groups = CurveGroups.Of(d);
        if (d.Configs.All(c => c.CurveTrials.Count == 0)) { md.Paragraph("No trial has recorded a training loss yet."); return; }

        var legend = CurveGroups.LegendFactors(d);
        md.Paragraph(CurveGroups.LineFactor(d) is { } lf
            ? $"Color: cell type; shade, line style and marker: {lf.Label}. One figure per {Format.List(d.Others.Skip(1).Select(f => f.Label).DefaultIfEmpty("sweep").ToList())}; "
              + "dotted vertical lines mark the ends of epochs." + ctx.SeedNote
            : "Color: cell type; dotted vertical lines mark the ends of epochs." + ctx.SeedNote);
        foreach (var g in groups)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"Training loss: {Md.Text(g.Title)}");
            var stepSeries = g.Configs.Select(c =>
            {
                var curve = Curve.Of(c, MetricNames.TrainLoss, byEpoch: false);
                return ctx.Series(c, CurveGroups.LineFactor(d), curve, ctx.Label(c, legend, curve), markers: false);
            }).ToList();
            if (stepSeries.All(s => s.X.Length == 0)) { md.Paragraph("No training loss recorded yet in this group."); continue; }

            var stepPng = FigureRenderer.Render(new LineFigure(
                [new PanelSpec($"Training loss per logged step, {g.Title}", "optimizer step", LossAxis, stepSeries, EpochAxis: false, ShowLegend: true, EpochEnds(g))],
                Columns: 1, ShareY: false));
            md.Image($"Training loss per step, {g.Title}", ctx.Figures.Add($"2-train-loss-per-step-{g.Stem}", stepPng));

            var trainEpoch = EpochSeries(ctx, g, MetricNames.EpochTrainLoss, legend);
            var valEpoch = EpochSeries(ctx, g, MetricNames.ValLoss, legend);
            if (trainEpoch.Any(s => s.X.Length > 0) || valEpoch.Any(s => s.X.Length > 0))
            {
                var epochPng = FigureRenderer.Render(new LineFigure(
                    [
                        new PanelSpec($"Training loss per epoch, {g.Title}", "epoch", LossAxis, trainEpoch, EpochAxis: true, ShowLegend: false),
                        new PanelSpec($"Validation loss per epoch, {g.Title}", "epoch", LossAxis, valEpoch, EpochAxis: true, ShowLegend: true),
                    ], Columns: 2, ShareY: true));
                md.Image($"Training and validation loss per epoch, {g.Title}", ctx.Figures.Add($"2-loss-per-epoch-{g.Stem}", epochPng));
            }
            Table(ctx, md, g);
        }
    }

    /// <summary>The steps at which epochs ended, when every configuration of the group ended them at the same steps.</summary>
    private static IReadOnlyList<double>? EpochEnds(CurveGroup g)
    {
        var ends = g.Configs.SelectMany(c => c.CurveTrials)
            .Select(t => t.Data.Metric(MetricNames.ValLoss).Select(m => (double)m.Step).ToList())
            .Where(e => e.Count > 0).ToList();
        if (ends.Count == 0) return null;
        var longest = ends.MaxBy(e => e.Count)!;
        return ends.All(e => e.SequenceEqual(longest.Take(e.Count))) ? longest.SkipLast(1).ToList() : null;
    }

    private static List<SeriesSpec> EpochSeries(ReportContext ctx, CurveGroup g, string metric, IReadOnlyList<Factor> legend) =>
        g.Configs.Select(c =>
        {
            var curve = Curve.Of(c, metric, byEpoch: true);
            return ctx.Series(c, CurveGroups.LineFactor(ctx.Design), curve, ctx.Label(c, legend, curve), markers: true);
        }).ToList();

    private static void Table(ReportContext ctx, MarkdownWriter md, CurveGroup g)
    {
        var rows = new List<IReadOnlyList<string>>();
        var last = new List<(double Loss, ConfigGroup Config)>();
        foreach (var c in g.Configs)
        {
            var steps = Curve.Of(c, MetricNames.TrainLoss, byEpoch: false);
            var epochs = Curve.Of(c, MetricNames.EpochTrainLoss, byEpoch: true);
            if (!steps.IsEmpty) last.Add((steps.Y[^1], c));
            rows.Add([
                Md.Text(ctx.Design.Describe(c)),
                Md.Short(c.StateText, 60),
                steps.IsEmpty ? Format.Missing : $"{Format.Loss(steps.Y[0])} (step {Format.Int((long)steps.X[0])}) → {Format.Loss(steps.Y[^1])} (step {Format.Int((long)steps.X[^1])})",
                CurveGroups.Trajectory(epochs, v => Format.Number(v, "0.000")),
            ]);
        }
        md.Table(["configuration", "state", "logged training loss, first → last", "training loss per epoch"], rows);
        if (last.Count > 1)
        {
            var lo = last.MinBy(x => x.Loss);
            var hi = last.MaxBy(x => x.Loss);
            md.Paragraph($"Last logged training loss in this group: lowest {Format.Loss(lo.Loss)} ({Md.Text(ctx.Design.Describe(lo.Config))}), "
                + $"highest {Format.Loss(hi.Loss)} ({Md.Text(ctx.Design.Describe(hi.Config))}).");
        }
    }
}
