using Core.Spec;

namespace Orchestrator.Progress;

/// <summary>Short human names for a sweep's trials from their grid values, e.g. <c>gru hidden=256 seq_len=50</c>.</summary>
internal sealed class TrialLabels(IReadOnlyDictionary<string, string> byId)
{
    public static TrialLabels For(SweepSpec spec) =>
        For(spec, spec.Trials.Any(x => x.Repeat > 0));

    private static TrialLabels For(SweepSpec spec, bool repeats) => new(spec.Trials.ToDictionary(t => t.Id, t => Label(t.Grid, t.Repeat, repeats)));

    public static string Label(IReadOnlyDictionary<string, string> grid, int repeat, bool showRepeat)
    {
        var parts = Parts(grid, "=").ToList();
        if (showRepeat) parts.Add($"r{repeat}");
        return parts.Count == 0 ? "(single trial)" : string.Join(' ', parts);
    }

    /// <summary>Each grid value with its key's <see cref="ShortName"/> before it (the cell alone: <c>gru</c>), in the spec's order.</summary>
    public static IEnumerable<string> Parts(IReadOnlyDictionary<string, string> grid, string separator) =>
        grid.Select(kv => kv.Key == "model.cell" ? kv.Value : $"{ShortName(kv.Key)}{separator}{kv.Value}");

    /// <summary>A grid key as people say it: its last part (<c>model.hidden</c> → <c>hidden</c>).</summary>
    public static string ShortName(string key) => key[(key.LastIndexOf('.') + 1)..];

    public string this[string trialId] => byId.TryGetValue(trialId, out var label) ? label : trialId;
}
