using Core.Store;
using Reporting.Analysis;
using Reporting.Data;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>The title, what the sweep is (grid, seeds, shared settings) and every trial with its state.</summary>
internal sealed class OverviewSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        var sweep = ctx.Data.Sweep;
        var d = ctx.Design;
        md.Heading(1, $"Sweep report: {Md.Text(sweep.Name)}");
        md.Paragraph($"Database {Md.Code(ctx.Data.DatabaseName)}; sweep created {Md.Text(sweep.CreatedAt)}, last updated {Md.Text(SweepClock.Show(ctx.Data.LastChange))} "
            + "(the newest thing recorded: a metric, an attempt's start or end, a checkpoint or a sample)"
            + (sweep.SpecPath is { Length: > 0 } spec ? $"; spec {Md.Code(spec)}." : "."));

        if (d.Trials.Count == 0)
        {
            md.Paragraph("The sweep has no trials.");
            return;
        }

        md.Paragraph($"**{Format.Plural(d.Trials.Count, "trial")}**: {StateCounts(d.Trials)}.");
        md.Paragraph(GridSentence(ctx));
        if (RanOn(d.Trials) is { } ranOn) md.Paragraph(ranOn);

        md.Heading(2, "Trials");
        var header = new List<string> { "#", "trial" };
        header.AddRange(d.Factors.Select(f => f.Short));
        if (d.SeedVaries) header.Add("seed");
        header.AddRange(["state", "epochs", "steps", "best val loss", "final val loss"]);
        var rows = d.Trials.Select(t =>
        {
            var row = new List<string> { t.Data.Member.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture), Md.Code(t.Id) };
            row.AddRange(d.Factors.Select(f => Md.Text(t.ValueOf(f).Text)));
            if (d.SeedVaries) row.Add(t.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            row.Add(Md.Short(t.StateText, 120));
            row.Add($"{t.Data.Trial.Epoch} / {t.Data.Config.Train.Epochs}");
            row.Add(Format.Int(t.Data.Trial.Step));
            row.Add(Format.Loss(t.Stats.BestValLoss));
            row.Add(Format.Loss(t.Stats.FinalValLoss));
            return (IReadOnlyList<string>)row;
        });
        md.Table(header, rows, new string('l', header.Count - 4) + "rrrr");

        var failed = d.Trials.Where(t => t.Data.State == TrialStates.Failed).ToList();
        if (failed.Count > 0)
        {
            md.Paragraph("Failure reasons as recorded:");
            md.Bullets(failed.Select(t => $"{Md.Code(t.Id)} ({Md.Text(d.Describe(t))}): exit {t.Data.Trial.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, "
                + Md.Code(Shorten(t.Data.Trial.Failure ?? "no reason recorded", 600))));
        }
        var stopped = d.Trials.Where(t => t.Data.Trial.Stop is not null).ToList();
        if (stopped.Count > 0)
        {
            md.Paragraph("Stopped early by the sweep's early-stopping rule (their curves end where they stopped; they are left out of comparisons):");
            md.Bullets(stopped.Select(t => $"{Md.Code(t.Id)} ({Md.Text(d.Describe(t))}): {Md.Text(t.Data.Trial.Stop!.Describe())}"));
        }
        var unfinished = d.Trials.Count(t => !t.IsCompleted);
        if (unfinished > 0)
            md.Paragraph($"{Format.Plural(unfinished, "trial")} not completed: curves show what they recorded so far (marked in legends), "
                + "and comparisons, heatmaps and findings use completed trials only.");

        md.Raw("<details><summary>Settings shared by every trial</summary>");
        md.Table(["setting", "value"], d.FixedFields.Select(f => (IReadOnlyList<string>)[Md.Text(f.Key), Md.Code(f.Value.Text)]));
        md.Raw("</details>");
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    internal static string StateCounts(IReadOnlyList<TrialView> trials)
    {
        var parts = new List<string>();
        foreach (var s in new[] { TrialStates.Completed, TrialStates.Stopped, TrialStates.Running, TrialStates.Pending, TrialStates.Failed })
            if (trials.Count(t => t.Data.State == s) is > 0 and var n) parts.Add($"{n} {s}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// "Ran on: 18 trials on cuda (NVIDIA H100 80GB HBM3) with libtorch 2.11.0+cu130 (PyTorch), CUDA 13.0.", one
    /// group per distinct device, GPU, libtorch and CUDA version as the trials' Runners recorded them; null before any ran.
    /// </summary>
    private static string? RanOn(IReadOnlyList<TrialView> trials)
    {
        var groups = trials.Select(t => t.Data.Trial).Where(t => t.Device is not null)
            .GroupBy(t => (t.Device, t.GpuName, t.LibtorchVersion, t.CudaVersion))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Device, StringComparer.Ordinal).ThenBy(g => g.Key.GpuName, StringComparer.Ordinal)
            .Select(g =>
            {
                var (device, gpu, libtorch, cuda) = g.Key;
                return $"{Format.Plural(g.Count(), "trial")} on {Md.Text(device!)}{(gpu is null ? "" : $" ({Md.Text(gpu)})")}"
                       + (libtorch is null ? "" : $" with libtorch {Md.Text(libtorch)}") + (cuda is null ? "" : $", CUDA {Md.Text(cuda)}");
            }).ToList();
        return groups.Count == 0 ? null : $"Ran on: {string.Join("; ", groups)}.";
    }

    private static string GridSentence(ReportContext ctx)
    {
        var d = ctx.Design;
        var varied = d.Factors.Where(f => f.Levels.Count > 1 || f.IsCell)
            .Select(f => $"{f.Label} ∈ {{{string.Join(", ", f.Levels.Select(l => Md.Text(l.Text)))}}}").ToList();
        var seeds = d.SeedVaries
            ? $"up to {d.MaxSeeds} seeds per configuration (train.seed varies)"
            : "one seed per configuration";
        if (ctx.Sampled is { } space)
            return $"Sampled at random (search: random, {Format.Plural(space.Search.Trials ?? d.Configs.Count, "draw")}, seed {space.Search.Seed}): "
                + (space.Params.Count > 0 ? string.Join("; ", space.Params.Select(p => $"{p.Factor.Label} {p.Drawn}")) : "no parameter has taken two values yet")
                + $": {Format.Plural(d.Configs.Count, "configuration")}, {seeds}.";
        return $"Grid: {string.Join(" × ", varied)}: {Format.Plural(d.Configs.Count, "configuration")}, {seeds}.";
    }
}
