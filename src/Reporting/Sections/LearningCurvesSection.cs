using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>2. Training loss against step (every logged step) and per epoch, with the validation loss beside it.</summary>
internal sealed class LearningCurvesSection : ISection
{
    private const string LossAxis = "loss (nats per character)";

    /// <summary>Under every per-epoch loss figure: why the validation curve can be the lower one.</summary>
    internal const string EpochCaption = "Training loss: the mean over each epoch's steps; validation loss: measured after the epoch's last step, "
        + "which is why it can be the lower of the two.";

    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "2. Learning curves");
        var d = ctx.Design;
        var groups = CurveGroups.Of(ctx);
        if (d.Configs.All(c => c.CurveTrials.Count == 0)) { md.Paragraph("No trial has recorded a training loss yet."); return; }

        var legend = CurveGroups.LegendFactors(ctx);
        var curves = groups.Select(g => new GroupCurves(g,
            g.Configs.Select(c =>
            {
                var curve = Curve.Of(c, MetricNames.TrainLoss, byEpoch: false);
                return CurveGroups.Series(ctx, g, c, curve, ctx.Label(c, legend, curve), markers: false);
            }).ToList(),
            EpochSeries(ctx, g, MetricNames.EpochTrainLoss, legend),
            EpochSeries(ctx, g, MetricNames.ValLoss, legend))).ToList();
        var stepRange = AxisRange.Padded(curves.SelectMany(c => c.Steps));
        var epochRange = AxisRange.Padded(curves.SelectMany(c => c.TrainEpoch.Concat(c.ValEpoch)));

        var groupedBy = CurveGroups.GroupedBy(ctx);
        md.Paragraph(CurveGroups.StyleNote(ctx) + (groupedBy.Count > 0 ? $" One figure per {Format.List(groupedBy)}." : "")
            + " Dotted vertical lines mark the ends of epochs. " + TrainingNotes.StepsNote(d) + " " + TrainingNotes.EpochNote(d) + ctx.SeedNote);
        md.Paragraph(TrainingNotes.ValidationBelowTraining);
        if (groups.Count > 1 && stepRange is { } sr && epochRange is { } er)
            md.Paragraph($"The {groups.Count} per-step figures share one y axis ({sr.Show()} nats per character), and so do the {groups.Count} per-epoch figures "
                + $"({er.Show()}), so heights compare across {Format.List(groupedBy)}.");

        foreach (var (g, stepSeries, trainEpoch, valEpoch) in curves)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"Training loss: {Md.Text(g.Title)}");
            if (stepSeries.All(s => s.X.Length == 0)) { md.Paragraph("No training loss recorded yet in this group."); continue; }

            var maxStep = stepSeries.Where(s => s.X.Length > 0).Max(s => s.X.Max());
            var stepFigure = FigureRenderer.Draw(new LineFigure(
                [new PanelSpec($"Training loss per logged step, {g.Title}", "optimizer step", LossAxis, stepSeries, EpochAxis: false, ShowLegend: true,
                    EpochEnds(g), TrainingNotes.CharsAxis(g.Configs, maxStep))],
                stepRange));
            md.Image($"Training loss per step, {g.Title}", ctx.Figures.Add($"2-train-loss-per-step-{g.Stem}", stepFigure));

            if (trainEpoch.Any(s => s.X.Length > 0) || valEpoch.Any(s => s.X.Length > 0))
            {
                var epochFigure = FigureRenderer.Draw(new LineFigure(
                    [
                        new PanelSpec($"Training loss per epoch, {g.Title}", "epoch", LossAxis, trainEpoch, EpochAxis: true, ShowLegend: false),
                        new PanelSpec($"Validation loss per epoch, {g.Title}", "epoch", LossAxis, valEpoch, EpochAxis: true, ShowLegend: true),
                    ], epochRange));
                md.Image($"Training and validation loss per epoch, {g.Title}", ctx.Figures.Add($"2-loss-per-epoch-{g.Stem}", epochFigure));
                md.Paragraph(EpochCaption);
            }
            Table(ctx, md, g);
        }
    }

    private sealed record GroupCurves(CurveGroup Group, List<SeriesSpec> Steps, List<SeriesSpec> TrainEpoch, List<SeriesSpec> ValEpoch);

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
            return CurveGroups.Series(ctx, g, c, curve, ctx.Label(c, legend, curve), markers: true);
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
