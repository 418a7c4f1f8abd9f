using Core.Store;
using Reporting.Analysis;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>8. Statements computed from the numbers: best configuration, which factor matters most, overfitting, cell-type wins, spread over seeds.</summary>
internal sealed class FindingsSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "8. Findings");
        var d = ctx.Design;
        var done = d.Configs.Where(c => c.HasResult).ToList();
        var completedTrials = d.Trials.Count(t => t.IsCompleted);
        if (done.Count == 0)
        {
            md.Paragraph(d.Trials.Count == 0 ? "No trials." : $"No trial has completed yet ({OverviewSection.StateCounts(d.Trials)}), so there are no findings.");
            return;
        }
        var items = new List<string>
        {
            $"Based on the {Format.Plural(completedTrials, "completed trial")} of {d.Trials.Count}, covering {done.Count} of {Format.Plural(d.Configs.Count, "configuration")}"
            + (completedTrials < d.Trials.Count ? $"; not included: {OverviewSection.StateCounts(d.Trials.Where(t => !t.IsCompleted).ToList())}." : "."),
            Best(d, done),
        };
        if (ctx.Sampled is { } space) items.Add(MatteredMost(ParamImportance.Of(space, d)));
        else items.AddRange(FactorRanking(d, done));
        items.Add(Overfitting(d, done));
        items.AddRange(CellWins(d));
        items.AddRange(GapAndSpeed(d, done));
        if (d.MaxSeeds > 1) items.Add(SeedSpread(d, done));
        md.Bullets(items);
    }

    private static string Best(Design d, IReadOnlyList<ConfigGroup> done)
    {
        var best = done.MinBy(c => c.Final(s => s.BestValLoss)?.Mean ?? double.MaxValue)!;
        var loss = best.Final(s => s.BestValLoss)!.Value;
        var epoch = best.Final(s => s.BestEpoch)!.Value;
        return $"Lowest best validation loss: {loss.Show(Format.Loss)} ({Md.Text(d.Describe(best))}), reached at epoch {Format.Number(epoch.Mean, "0.#")} "
            + $"of {best.Trials[0].Data.Config.Train.Epochs}"
            + (loss.N > 1 ? $", mean over {loss.N} seeds" : "") + ".";
    }

    /// <summary>Each factor's level means of best validation loss (over all completed configurations) and their range, largest range first.</summary>
    private static IEnumerable<string> FactorRanking(Design d, IReadOnlyList<ConfigGroup> done)
    {
        var ranked = d.Factors
            .Select(f => (Factor: f, Means: FactorEffectsSection.LevelMeans(f, done)))
            .Where(x => x.Means.Count > 1)
            .Select(x => (x.Factor, x.Means, Range: x.Means.Max(m => m.Mean) - x.Means.Min(m => m.Mean)))
            .OrderByDescending(x => x.Range).ThenBy(x => x.Factor.Path, StringComparer.Ordinal)
            .ToList();
        if (ranked.Count == 0)
        {
            yield return "No factor has two levels with completed configurations, so no factor effect can be measured yet.";
            yield break;
        }
        string Means((Factor Factor, IReadOnlyList<(Level Level, double Mean, int Configs)> Means, double Range) x) =>
            string.Join(", ", x.Means.Select(m => $"{Md.Text(x.Factor.Describe(m.Level))}: {Format.Loss(m.Mean)}"));
        var top = ranked[0];
        var unbalanced = done.Count < d.Configs.Count ? " (unbalanced: not every configuration has completed)" : "";
        yield return ranked.Count == 1
            ? $"The only factor with measurable effect is {top.Factor.Label}: mean best validation loss {Means(top)}; range {Format.Loss(top.Range)}{unbalanced}."
            : $"{Format.Capitalize(top.Factor.Label)} moves best validation loss most: level means {Means(top)} (range {Format.Loss(top.Range)}); "
              + string.Join("; ", ranked.Skip(1).Select(x => $"{x.Factor.Label}: {Means(x)} (range {Format.Loss(x.Range)})")) + unbalanced + ".";
    }

    /// <summary>For a sampled sweep: which sampled parameter mattered most, with the method and every parameter's share.</summary>
    private static string MatteredMost(ParamImportance importance) =>
        importance.Verdict()
        + (importance.Shares.Count > 0 && importance.Trials >= 2
            ? $" Share of the variance of the loss ranks explained alone (Spearman's ρ² for numeric parameters, η² for categorical ones; section 5): {string.Join("; ", importance.Shares.Select(s => s.Describe(importance.Trials)))}."
            : "");

    /// <summary>Configurations whose (seed-mean) validation loss is higher at the last epoch than at its minimum.</summary>
    private static string Overfitting(Design d, IReadOnlyList<ConfigGroup> done)
    {
        var rising = new List<(ConfigGroup Config, double Min, double MinEpoch, double Final, double LastEpoch)>();
        var eligible = 0;
        foreach (var c in done)
        {
            var curve = Curve.Of(c, MetricNames.ValLoss, byEpoch: true);
            if (curve.X.Length < 2) continue;
            eligible++;
            var iMin = Array.IndexOf(curve.Y, curve.Y.Min());
            if (curve.Y[^1] > curve.Y[iMin]) rising.Add((c, curve.Y[iMin], curve.X[iMin], curve.Y[^1], curve.X[^1]));
        }
        if (eligible == 0) return "Overfitting cannot be judged: no completed configuration has two or more epochs of validation loss.";
        if (rising.Count == 0)
            return $"No configuration overfit by this measure: in all {eligible} completed configurations with two or more epochs, validation loss was lowest at the last epoch.";
        var list = rising.OrderByDescending(r => r.Final - r.Min).Select(r =>
            $"{Md.Text(d.Describe(r.Config))} (minimum {Format.Loss(r.Min)} at epoch {Format.Number(r.MinEpoch)}, {Format.Loss(r.Final)} at epoch {Format.Number(r.LastEpoch)}, {Format.Delta(r.Final - r.Min)})");
        return $"{rising.Count} of {eligible} completed configurations overfit (validation loss rose after its minimum"
            + (d.MaxSeeds > 1 ? ", seed-mean curve" : "") + "): " + string.Join("; ", list) + ".";
    }

    private static IEnumerable<string> CellWins(Design d)
    {
        var reference = CellPairs.Reference(d);
        if (reference is null) yield break;
        foreach (var challenger in CellPairs.Challengers(d))
        {
            var pairs = CellPairs.Of(d, challenger).Where(p => p.Complete).ToList();
            string C = challenger.ToUpperInvariant(), R = reference.ToUpperInvariant();
            if (pairs.Count == 0) { yield return $"{C} versus {R}: no matched pair has completed both yet."; continue; }
            var diffs = pairs.Select(p => p.Difference!.Value).ToList();
            var rWins = diffs.Count(x => x > 0);
            var cWins = diffs.Count(x => x < 0);
            var (winner, wins, loser, losses) = cWins > rWins ? (C, cWins, R, rWins) : (R, rWins, C, cWins);
            var s = $"{winner} had the lower best validation loss than {loser} in {wins} of {Format.Plural(pairs.Count, "matched pair")}"
                + $" ({loser} in {losses}); mean difference {C} − {R} {Format.Delta(diffs.Average())}, from {Format.Delta(diffs.Min())} to {Format.Delta(diffs.Max())}";
            if (d.MaxSeeds > 1)
            {
                var clear = pairs.Count(p =>
                {
                    var sdC = p.Challenger.Final(x => x.BestValLoss)!.Value.Sd;
                    var sdR = p.Reference.Final(x => x.BestValLoss)!.Value.Sd;
                    return Math.Abs(p.Difference!.Value) > Math.Sqrt(sdC * sdC + sdR * sdR);
                });
                s += $"; in {clear} of them the difference exceeds the seeds' combined standard deviation";
            }
            yield return s + ".";
        }
    }

    private static IEnumerable<string> GapAndSpeed(Design d, IReadOnlyList<ConfigGroup> done)
    {
        var gaps = done.Select(c => (c, v: c.Final(s => s.Gap)?.Mean)).Where(x => x.v is not null).ToList();
        if (gaps.Count > 1)
        {
            var hi = gaps.MaxBy(x => x.v!.Value);
            var lo = gaps.MinBy(x => x.v!.Value);
            var negative = gaps.Count(x => x.v < 0);
            yield return $"Validation minus training loss at the last epoch: largest {Format.Delta(hi.v)} ({Md.Text(d.Describe(hi.c))}), "
                + $"smallest {Format.Delta(lo.v)} ({Md.Text(d.Describe(lo.c))})"
                + (negative > 0
                    ? $"; {negative} of {gaps.Count} configurations have validation below training loss. That is no sign of better generalisation: "
                      + "the training loss is the mean over the epoch's steps, taken while the model was still improving, while validation is measured after the epoch's last step."
                    : ".");
        }
        var speeds = done.Select(c => (c, v: c.Final(s => s.CharsPerSec)?.Mean)).Where(x => x.v is not null).ToList();
        if (speeds.Count > 1)
        {
            var hi = speeds.MaxBy(x => x.v!.Value);
            var lo = speeds.MinBy(x => x.v!.Value);
            yield return $"Throughput: fastest {Format.Rate(hi.v)} characters/s ({Md.Text(d.Describe(hi.c))}), slowest {Format.Rate(lo.v)} ({Md.Text(d.Describe(lo.c))}). "
                + SpeedNotes.Caveat(d);
        }
    }

    private static string SeedSpread(Design d, IReadOnlyList<ConfigGroup> done)
    {
        var spreads = done.Select(c => (c, s: c.Final(x => x.BestValLoss))).Where(x => x.s is { N: > 1 }).ToList();
        if (spreads.Count == 0) return "Several seeds were planned but no configuration has two completed seeds yet.";
        var mean = spreads.Average(x => x.s!.Value.Sd);
        var max = spreads.MaxBy(x => x.s!.Value.Sd);
        return $"Across seeds, the standard deviation of best validation loss averages {Format.Loss(mean)} over {Format.Plural(spreads.Count, "configuration")} "
            + $"(largest {Format.Loss(max.s!.Value.Sd)} for {Md.Text(d.Describe(max.c))}, over {max.s!.Value.N} seeds).";
    }
}
