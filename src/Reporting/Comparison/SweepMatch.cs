using Core.Config;
using Reporting.Analysis;

namespace Reporting.Comparison;

/// <summary>A setting each sweep holds fixed, at a different value: what the two sweeps were run to compare.</summary>
internal sealed record SettingDifference(string Path, Level A, Level B);

/// <summary>A configuration both sweeps ran: the same settings apart from the <see cref="SettingDifference"/>s (seeds are repeats).</summary>
internal sealed record MatchedConfig(ConfigGroup A, ConfigGroup B)
{
    /// <summary>B minus A best validation loss (seed means), when both have completed.</summary>
    public double? Difference => A.HasResult && B.HasResult ? B.Final(s => s.BestValLoss)?.Mean - A.Final(s => s.BestValLoss)?.Mean : null;
}

/// <summary>
/// How the configurations of two sweeps correspond. The settings in which the sweeps differ (each holds one
/// value throughout, the two values differ: a learning rate, an embedding size, a batch size) are left out;
/// every other setting, the grid's among them, must be equal for two configurations to match. The seed is the
/// repeat axis and never matched on. Configurations that only one sweep has are kept, not dropped.
/// </summary>
internal sealed class SweepMatch
{
    private SweepMatch(Design a, Design b, IReadOnlyList<SettingDifference> differences, IReadOnlyList<string> shown,
        IReadOnlyList<MatchedConfig> matched, IReadOnlyList<ConfigGroup> onlyA, IReadOnlyList<ConfigGroup> onlyB)
    {
        A = a;
        B = b;
        Differences = differences;
        Shown = shown;
        Matched = matched;
        OnlyA = onlyA;
        OnlyB = onlyB;
    }

    public Design A { get; }
    public Design B { get; }
    public IReadOnlyList<SettingDifference> Differences { get; }
    /// <summary>The settings that tell configurations apart (varied in either sweep, not a difference, not the seed): cell type first.</summary>
    public IReadOnlyList<string> Shown { get; }
    /// <summary>Matched configurations in the order of sweep A's grid.</summary>
    public IReadOnlyList<MatchedConfig> Matched { get; }
    public IReadOnlyList<ConfigGroup> OnlyA { get; }
    public IReadOnlyList<ConfigGroup> OnlyB { get; }

    public static SweepMatch Of(Design a, Design b)
    {
        var fixedA = a.FixedFields.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var fixedB = b.FixedFields.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        // The cell type is never in FixedFields: a sweep of one cell type holds it fixed all the same.
        if (a.Cells.Count == 1) fixedA[Parameters.Cell] = a.Cell.Levels[0];
        if (b.Cells.Count == 1) fixedB[Parameters.Cell] = b.Cell.Levels[0];
        var order = a.Trials.Count > 0 ? a.Trials[0].Values.Keys.ToList() : b.Trials.Count > 0 ? b.Trials[0].Values.Keys.ToList() : [];
        var differences = order
            .Where(p => p != Parameters.Seed && fixedA.TryGetValue(p, out var va) && fixedB.TryGetValue(p, out var vb) && va != vb)
            .Select(p => new SettingDifference(p, fixedA[p], fixedB[p])).ToList();
        var left = differences.Select(x => x.Path).Append(Parameters.Seed).ToHashSet(StringComparer.Ordinal);
        var keyPaths = order.Where(p => !left.Contains(p)).ToList();
        string Key(ConfigGroup c) => string.Join('\u0001', keyPaths.Select(p => p + "=" + (c.Trials[0].Values.TryGetValue(p, out var v) ? v.Text : "")));

        var inB = b.Configs.GroupBy(Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var matched = new List<MatchedConfig>();
        var onlyA = new List<ConfigGroup>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in a.Configs)
        {
            var key = Key(c);
            if (inB.TryGetValue(key, out var other) && used.Add(key)) matched.Add(new MatchedConfig(c, other));
            else onlyA.Add(c);
        }
        var onlyB = b.Configs.Where(c => !used.Contains(Key(c))).ToList();

        var varied = keyPaths.Where(p => a.Trials.Concat(b.Trials).Select(t => t.Values.TryGetValue(p, out var v) ? v.Text : "").Distinct().Count() > 1).ToList();
        var shown = varied.OrderBy(p => p switch { Parameters.Cell => 0, Parameters.Hidden => 1, Parameters.SeqLen => 2, _ => 3 }).ThenBy(order.IndexOf).ToList();
        return new SweepMatch(a, b, differences, shown, matched, onlyA, onlyB);
    }

    /// <summary>"gru · hidden 32 · seq_len 25" from the <see cref="Shown"/> settings (the whole key when none varies).</summary>
    public string Describe(ConfigGroup c)
    {
        var parts = Shown.Select(p =>
        {
            var (_, shortName, _) = Parameters.Describe(p);
            var text = c.Trials[0].Values.TryGetValue(p, out var v) ? v.Text : "—";
            return p == Parameters.Cell ? text : $"{shortName} {text}";
        }).ToList();
        return parts.Count > 0 ? string.Join(" · ", parts) : "(every setting shared)";
    }
}
