using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>3. Training and validation error rate (1 − next-character accuracy) per epoch.</summary>
internal sealed class ErrorRatesSection : ISection
{
    private const string Axis = "error rate (% of next characters wrong)";

    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "3. Training and validation error rate");
        var d = ctx.Design;
        if (d.Configs.All(c => Curve.Of(c, MetricNames.ValError, true).IsEmpty && Curve.Of(c, MetricNames.TrainError, true).IsEmpty))
        {
            md.Paragraph("No trial has finished an epoch yet, so there are no error rates.");
            return;
        }
        var legend = CurveGroups.LegendFactors(ctx);
        var groups = CurveGroups.Of(ctx).Select(g => (Group: g, Train: Series(ctx, g, MetricNames.TrainError, legend), Val: Series(ctx, g, MetricNames.ValError, legend))).ToList();
        var range = AxisRange.Padded(groups.SelectMany(g => g.Train.Concat(g.Val)));
        md.Paragraph("Error rate = 1 − accuracy of the most likely next character, on the epoch's training batches and on the validation text. "
            + CurveGroups.StyleNote(ctx) + ctx.SeedNote);
        if (groups.Count > 1 && range is { } r)
            md.Paragraph($"All {groups.Count} figures share one y axis ({r.Show(1)} %).");
        var best = new List<(double Error, ConfigGroup Config)>();
        foreach (var (g, train, val) in groups)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"Error rate: {Md.Text(g.Title)}");
            if (train.All(s => s.X.Length == 0) && val.All(s => s.X.Length == 0)) { md.Paragraph("No epoch finished yet in this group."); continue; }
            var figure = FigureRenderer.Draw(new LineFigure(
                [
                    new PanelSpec($"Training error rate, {g.Title}", "epoch", Axis, train, EpochAxis: true, ShowLegend: false),
                    new PanelSpec($"Validation error rate, {g.Title}", "epoch", Axis, val, EpochAxis: true, ShowLegend: true),
                ], range));
            md.Image($"Training and validation error rate per epoch, {g.Title}", ctx.Figures.Add($"3-error-rate-{g.Stem}", figure));

            md.Table(["configuration", "training error per epoch (%)", "validation error per epoch (%)"],
                g.Configs.Select(c => (IReadOnlyList<string>)
                [
                    Md.Text(d.Describe(c)) + (c.IsPartial && c.CurveTrials.Count > 0 ? $" ({c.CurveTrials[0].Data.State})" : ""),
                    CurveGroups.Trajectory(Curve.Of(c, MetricNames.TrainError, true), v => Format.Number(v * 100, "0.0")),
                    CurveGroups.Trajectory(Curve.Of(c, MetricNames.ValError, true), v => Format.Number(v * 100, "0.0")),
                ]));
            best.AddRange(g.Configs.Where(c => c.HasResult && c.Final(s => s.FinalValError) is not null)
                .Select(c => (c.Final(s => s.FinalValError)!.Value.Mean, c)));
        }
        if (best.Count > 1)
        {
            var lo = best.MinBy(x => x.Error);
            var hi = best.MaxBy(x => x.Error);
            md.Paragraph($"Final validation error of completed configurations: lowest {Format.Percent(lo.Error)} ({Md.Text(d.Describe(lo.Config))}), "
                + $"highest {Format.Percent(hi.Error)} ({Md.Text(d.Describe(hi.Config))}).");
        }
    }

    private static List<SeriesSpec> Series(ReportContext ctx, CurveGroup g, string metric, IReadOnlyList<Factor> legend) =>
        g.Configs.Select(c =>
        {
            var curve = Curve.Of(c, metric, byEpoch: true);
            var percent = curve with { Y = curve.Y.Select(v => v * 100).ToArray(), Sd = curve.Sd?.Select(v => v * 100).ToArray() };
            return CurveGroups.Series(ctx, g, c, percent, ctx.Label(c, legend, curve), markers: true);
        }).ToList();
}
