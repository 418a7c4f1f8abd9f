using System.Globalization;
using Reporting.Analysis;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>1. The network of each cell type's main trial, layer by layer as Keras summarises it, and the size of every model in the sweep.</summary>
internal sealed class ArchitectureSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "1. Network architecture");
        var d = ctx.Design;
        if (d.Cells.Count == 0) { md.Paragraph("No trials, so no architecture to show."); return; }

        foreach (var cell in d.Cells)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, $"{cell.ToUpperInvariant()}");
            var main = ctx.MainTrial(cell)!;
            var withArch = main.Data.Architecture.Count > 0
                ? main
                : d.Trials.Where(t => t.Cell == cell && t.Data.Architecture.Count > 0).OrderBy(t => t.Data.Member.Ordinal).FirstOrDefault();
            if (withArch is null)
            {
                md.Paragraph($"No {Md.Text(cell)} trial has recorded its architecture yet ({OverviewSection.StateCounts(d.Trials.Where(t => t.Cell == cell).ToList())}).");
                continue;
            }
            var why = withArch == main ? ReportContext.WhyMain(main) : "the first trial of this cell type that recorded its architecture";
            var vocab = withArch.Data.Trial.VocabSize is { } v ? $", vocabulary of {Format.Plural(v, "character")}" : "";
            md.Paragraph($"Trial {Md.Code(withArch.Id)} ({Md.Text(d.Describe(withArch))}; {why}){vocab}, batch size {withArch.Data.Config.Train.BatchSize}.");

            var layers = withArch.Data.Architecture;
            md.Table(["Layer (type)", "Output shape", "Param #"],
                layers.Select(l => (IReadOnlyList<string>)[Md.Text($"{l.Layer} ({l.Type})"), Md.Code(l.OutputShape), Format.Int(l.Params)]),
                "llr");
            var total = layers.Sum(l => l.Params);
            md.Paragraph($"Total params: {Format.Int(total)} ({Format.Megabytes(total)})  \n"
                + $"Trainable params: {Format.Int(total)} ({Format.Megabytes(total)})  \n"
                + "Non-trainable params: 0 (0.00 MB)");
            if (withArch.Data.Trial.Params is { } recorded && recorded != total)
                md.Paragraph($"The trial row records {Format.Int(recorded)} parameters, {Format.Int(recorded - total)} more than the layers listed.");
        }

        md.Paragraph("MB counts 4 bytes (float32) per parameter, divided by 2²⁰ as Keras does.");
        SizeTable(ctx, md);
    }

    /// <summary>Parameters of every distinct model in the sweep (cell type × model settings), when there is more than one.</summary>
    private static void SizeTable(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        var modelFactors = d.Factors.Where(f => f.Path.StartsWith("model.", StringComparison.Ordinal)).ToList();
        var models = d.Trials
            .Where(t => t.Data.Trial.Params is not null || t.Data.Architecture.Count > 0)
            .GroupBy(t => string.Join('\u0001', modelFactors.Select(f => t.ValueOf(f).Text)), StringComparer.Ordinal)
            .Select(g => g.OrderBy(t => t.Data.Member.Ordinal).First())
            .OrderBy(t => ConfigFields.CellRank(t.Cell)).ThenBy(t => t.Cell, StringComparer.Ordinal)
            .ThenBy(t => string.Join('\u0001', modelFactors.Skip(1).Select(f => f.IndexOf(t.ValueOf(f)).ToString("D4", CultureInfo.InvariantCulture))), StringComparer.Ordinal)
            .ToList();
        if (models.Count < 2) return;
        md.Paragraph("Size of every model in the sweep:");
        var header = modelFactors.Select(f => f.Short).Concat(["params", "float32 size"]).ToList();
        md.Table(header, models.Select(t =>
        {
            var p = t.Data.Architecture.Count > 0 ? t.Data.Architecture.Sum(l => l.Params) : t.Data.Trial.Params!.Value;
            return (IReadOnlyList<string>)[.. modelFactors.Select(f => Md.Text(t.ValueOf(f).Text)), Format.Int(p), Format.Megabytes(p)];
        }), new string('l', modelFactors.Count) + "rr");
    }
}
