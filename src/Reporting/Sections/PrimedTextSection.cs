using System.Globalization;
using Core.Store;
using Reporting.Analysis;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>7. Text generated from the configured prime (JULIET in the study) by the best trial of each cell type.</summary>
internal sealed class PrimedTextSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "7. Primed text");
        var d = ctx.Design;
        if (d.Trials.All(t => t.Data.Samples.Count == 0)) { md.Paragraph("No trial has recorded a sample yet."); return; }
        foreach (var cell in d.Cells)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, cell.ToUpperInvariant());
            var main = ctx.MainTrial(cell)!;
            var sample = Choose(main);
            if (sample is null)
            {
                md.Paragraph($"Trial {Md.Code(main.Id)} ({Md.Text(d.Describe(main))}; {ReportContext.WhyMain(main)}) has not recorded a sample yet.");
                continue;
            }
            var topK = sample.TopK == 0 ? "all characters" : $"top-{sample.TopK}";
            md.Paragraph($"Trial {Md.Code(main.Id)} ({Md.Text(d.Describe(main))}; {ReportContext.WhyMain(main)}), checkpoint {Md.Code(sample.Checkpoint)}, "
                + $"prime {Md.Char(sample.Prime)}, {Format.Plural(sample.Length, "character")}, temperature {Format.Number(sample.Temperature, "0.###")}, "
                + $"sampling from {topK}, seed {sample.Seed.ToString(CultureInfo.InvariantCulture)}:");
            md.Raw(Md.CodeBlock(sample.Text));
        }
    }

    /// <summary>
    /// The trial's sample with its configured prime (any prime if none matches), from its latest checkpoint,
    /// preferring the configured length, temperature, top-k and seed.
    /// </summary>
    internal static SampleRow? Choose(TrialView t)
    {
        var samples = t.Data.Samples;
        if (samples.Count == 0) return null;
        var cfg = t.Data.Config.Sample;
        var step = t.Data.Checkpoints.ToDictionary(c => c.Name, c => c.Step, StringComparer.Ordinal);
        return samples
            .OrderByDescending(s => s.Prime == cfg.Prime)
            .ThenByDescending(s => step.TryGetValue(s.Checkpoint, out var st) ? st : -1)
            .ThenByDescending(s => s.Length == cfg.Length && s.Temperature == cfg.Temperature && s.TopK == cfg.TopK && s.Seed == cfg.Seed)
            .ThenBy(s => s.Checkpoint, StringComparer.Ordinal)
            .ThenBy(s => s.Prime, StringComparer.Ordinal)
            .ThenBy(s => s.Length).ThenBy(s => s.Temperature).ThenBy(s => s.TopK).ThenBy(s => s.Seed)
            .First();
    }
}
