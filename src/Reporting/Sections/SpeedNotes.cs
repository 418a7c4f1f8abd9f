using Core.Contract;
using Core.Store;
using Reporting.Analysis;
using Reporting.Data;

namespace Reporting.Sections;

/// <summary>
/// How far a speed (characters/s, training time) can be trusted, from what the sweep recorded: the spread
/// over the seeds of a configuration when it has repeats; otherwise the note that each speed is a single
/// measurement, how many trials shared the machine (from the attempts' start and end times) and how much
/// one trial's epochs varied.
/// </summary>
internal static class SpeedNotes
{
    /// <summary>The sentence that goes with every speed claim of the report.</summary>
    public static string Caveat(Design d)
    {
        if (SeedSpread(d) is { } seeds)
            return $"Speeds are means over the completed seeds of a configuration; the seeds of one configuration differed in characters/s by up to "
                + $"{Format.Number(seeds.Ratio, "0.00")}× (slowest to fastest, {Markdown.Md.Text(d.Describe(seeds.Config))}).";
        var s = "Each configuration ran once, so every speed here is a single measurement";
        if (Concurrency(d) is { } shared and > 1)
            s += $", taken while up to {shared} trials of this sweep ran at the same time on one machine (from their attempts' recorded start and end)";
        s += "; other load on the machine is not recorded.";
        if (EpochSpread(d) is { } epochs)
            s += $" Within one trial, the fastest epoch ran at up to {Format.Number(epochs.Ratio, "0.00")}× the characters/s of the slowest "
                + $"({Markdown.Md.Text(d.Describe(epochs.Trial))}), so smaller speed differences between configurations are within the noise of one run.";
        return s;
    }

    /// <summary>The largest ratio of fastest to slowest seed (mean characters/s) within one configuration; null without two completed seeds anywhere.</summary>
    public static (double Ratio, ConfigGroup Config)? SeedSpread(Design d)
    {
        var ratios = d.Configs
            .Select(c => (Rates: c.Completed.Select(t => t.Stats.CharsPerSec).OfType<double>().Where(r => r > 0).ToList(), Config: c))
            .Where(x => x.Rates.Count > 1)
            .Select(x => (Ratio: x.Rates.Max() / x.Rates.Min(), x.Config))
            .ToList();
        return ratios.Count == 0 ? null : ratios.MaxBy(x => x.Ratio);
    }

    /// <summary>The largest ratio of fastest to slowest epoch (characters/s) within one completed trial; null without a trial of two epochs.</summary>
    public static (double Ratio, TrialView Trial)? EpochSpread(Design d)
    {
        var ratios = d.Trials.Where(t => t.IsCompleted)
            .Select(t => (Rates: t.Data.Metric(MetricNames.CharsPerSec).Select(m => m.Value).Where(r => r > 0).ToList(), Trial: t))
            .Where(x => x.Rates.Count > 1)
            .Select(x => (Ratio: x.Rates.Max() / x.Rates.Min(), x.Trial))
            .ToList();
        return ratios.Count == 0 ? null : ratios.MaxBy(x => x.Ratio);
    }

    /// <summary>
    /// The most attempts of the sweep's trials that ran at the same time on one host (host from the attempt's owner
    /// token; attempts of unknown host count as one host); null when no attempt recorded both its start and end.
    /// </summary>
    public static int? Concurrency(Design d)
    {
        var spans = d.Trials.SelectMany(t => t.Data.Attempts)
            .Select(a => (Host: OwnerToken.ProcessOf(a.Owner)?.Host ?? "", Start: SweepClock.Parse(a.StartedAt), End: SweepClock.Parse(a.EndedAt)))
            .Where(a => a.Start is not null && a.End is not null && a.End > a.Start)
            .ToList();
        if (spans.Count == 0) return null;
        return spans.GroupBy(s => s.Host, StringComparer.Ordinal).Max(host =>
        {
            var events = host.SelectMany(s => new[] { (Time: s.Start!.Value, Delta: 1), (Time: s.End!.Value, Delta: -1) })
                .OrderBy(e => e.Time).ThenBy(e => e.Delta); // an end before a start at the same instant: back-to-back is not overlap
            int running = 0, most = 0;
            foreach (var e in events) most = Math.Max(most, running += e.Delta);
            return most;
        });
    }

    /// <summary>Mean, lowest and highest of the challenger/reference ratios of a metric over completed pairs; null without any.</summary>
    public static (double Mean, double Min, double Max, int N)? Ratio(IReadOnlyList<CellPair> pairs, Func<TrialStats, double?> metric)
    {
        var ratios = pairs.Select(p => p.Challenger.Final(metric)?.Mean / p.Reference.Final(metric)?.Mean)
            .OfType<double>().Where(double.IsFinite).ToList();
        return ratios.Count > 0 ? (ratios.Average(), ratios.Min(), ratios.Max(), ratios.Count) : null;
    }
}
