using Core.Config;
using Reporting.Data;

namespace Reporting.Analysis;

/// <summary>
/// The shape of a sweep read from its trials' configs: the cell type (always a factor), every other
/// config field whose value differs between trials (the grid), and the seed, which is the repeat axis
/// rather than a factor. Trials that agree on every factor form one <see cref="ConfigGroup"/>.
/// </summary>
internal sealed class Design
{
    private Design(IReadOnlyList<TrialView> trials, Factor cell, IReadOnlyList<Factor> others, IReadOnlyList<ConfigGroup> configs,
        IReadOnlyList<KeyValuePair<string, Level>> fixedFields, bool seedVaries)
    {
        Trials = trials;
        Cell = cell;
        Others = others;
        Factors = [cell, .. others];
        Configs = configs;
        FixedFields = fixedFields;
        SeedVaries = seedVaries;
    }

    public IReadOnlyList<TrialView> Trials { get; }
    public Factor Cell { get; }
    /// <summary>The varied fields other than the cell type: hidden size and sequence length first, then config order.</summary>
    public IReadOnlyList<Factor> Others { get; }
    public IReadOnlyList<Factor> Factors { get; }
    /// <summary>Grid cells in the order of their first trial.</summary>
    public IReadOnlyList<ConfigGroup> Configs { get; }
    /// <summary>Fields every trial shares, in config order.</summary>
    public IReadOnlyList<KeyValuePair<string, Level>> FixedFields { get; }
    public bool SeedVaries { get; }
    public int MaxSeeds => Configs.Count == 0 ? 0 : Configs.Max(c => c.Trials.Count);
    public IReadOnlyList<string> Cells => Cell.Levels.Select(l => l.Text).ToList();

    public static Design Build(SweepData sweep)
    {
        var flat = sweep.Trials.Select(t => ConfigFields.Flatten(t.Config)).ToList();
        var order = flat.Count > 0 ? flat[0].Select(kv => kv.Key).ToList() : [];
        var values = flat.Select(f => f.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)).ToList();

        var varying = order.Where(p => values.Select(v => v[p]).Distinct().Count() > 1).ToList();
        var seedVaries = varying.Remove(Parameters.Seed);
        varying.Remove(Parameters.Cell);
        varying = [.. varying.OrderBy(p => p switch { Parameters.Hidden => 0, Parameters.SeqLen => 1, _ => 2 }).ThenBy(order.IndexOf)];

        var cellLevels = values.Select(v => v[Parameters.Cell]).Distinct()
            .OrderBy(l => ConfigFields.CellRank(l.Text)).ThenBy(l => l.Text, StringComparer.Ordinal).ToList();
        var cell = new Factor(Parameters.Cell, cellLevels);
        var others = varying.Select(p => new Factor(p, values.Select(v => v[p]).Distinct().Order().ToList())).ToList();
        var fixedFields = order.Where(p => values.Count > 0 && values.Select(v => v[p]).Distinct().Count() == 1 && p != Parameters.Cell)
            .Select(p => new KeyValuePair<string, Level>(p, values[0][p])).ToList();

        var trials = sweep.Trials.Select((t, i) => new TrialView(t, values[i], TrialStats.Of(t))).ToList();
        Factor[] factors = [cell, .. others];
        var configs = trials
            .GroupBy(t => string.Join('\u0001', factors.Select(f => t.ValueOf(f).Text)), StringComparer.Ordinal)
            .Select(g => new ConfigGroup(factors.Select(f => g.First().ValueOf(f)).ToList(),
                g.OrderBy(t => t.Repeat).ThenBy(t => t.Seed).ThenBy(t => t.Data.Member.Ordinal).ToList()))
            .OrderBy(c => c.Ordinal)
            .ToList();
        foreach (var c in configs)
            foreach (var t in c.Trials) t.Group = c;
        if (!cellLevels.Any()) cell = new Factor(Parameters.Cell, []);
        return new Design(trials, cell, others, configs, fixedFields, seedVaries);
    }

    /// <summary>"gru · hidden 256 · seq_len 50" (the cell type left out when <paramref name="withCell"/> is false).</summary>
    public string Describe(ConfigGroup c, bool withCell = true)
    {
        var parts = Factors.Where(f => withCell || !f.IsCell).Select(f => f.Describe(c.ValueOf(f))).ToList();
        return parts.Count > 0 ? string.Join(" · ", parts) : "(single configuration)";
    }

    /// <summary>The description of a trial: its configuration plus its seed when seeds vary.</summary>
    public string Describe(TrialView t) => Describe(t.Group) + (SeedVaries ? $" · seed {t.Seed}" : "");

    /// <summary>Configs of one cell type.</summary>
    public IEnumerable<ConfigGroup> ConfigsOf(string cell) => Configs.Where(c => c.Cell == cell);

    /// <summary>
    /// Configs grouped so that within a group every factor except <paramref name="free"/> is held fixed
    /// (the cell type among them unless it is listed as free). Groups in the order of their first config.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ConfigGroup>> HoldFixed(params Factor[] free)
    {
        var fixedFactors = Factors.Where(f => !free.Contains(f)).ToList();
        return Configs
            .GroupBy(c => string.Join('\u0001', fixedFactors.Select(f => c.ValueOf(f).Text)), StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<ConfigGroup>)g.ToList())
            .ToList();
    }
}
