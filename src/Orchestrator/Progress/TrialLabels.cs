using Core.Spec;

namespace Orchestrator.Progress;

/// <summary>Short human names for a sweep's trials from their grid values, e.g. <c>gru hidden=256 seq_len=50</c>.</summary>
public sealed class TrialLabels(IReadOnlyDictionary<string, string> byId)
{
    public static TrialLabels For(SweepSpec spec) =>
        new(spec.Trials.ToDictionary(t => t.Id, t => Label(t.Grid, t.Repeat, spec.Trials.Any(x => x.Repeat > 0))));

    public static string Label(IReadOnlyDictionary<string, string> grid, int repeat, bool showRepeat)
    {
        var parts = grid.Select(kv => kv.Key == "model.cell" ? kv.Value : $"{kv.Key[(kv.Key.LastIndexOf('.') + 1)..]}={kv.Value}").ToList();
        if (showRepeat) parts.Add($"r{repeat}");
        return parts.Count == 0 ? "(single trial)" : string.Join(' ', parts);
    }

    public string this[string trialId] => byId.TryGetValue(trialId, out var label) ? label : trialId;
}
