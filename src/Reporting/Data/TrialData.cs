using Core.Config;
using Core.Store;

namespace Reporting.Data;

/// <summary>Everything one trial of the sweep recorded, as read from the store.</summary>
internal sealed class TrialData
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<MetricRow>> _metrics;

    public TrialData(SweepTrialRow member, TrialRow trial, TrialConfig config, IReadOnlyList<MetricRow> metrics,
        IReadOnlyList<CheckpointRow> checkpoints, IReadOnlyList<ProbeRow> probes, IReadOnlyList<SampleRow> samples,
        IReadOnlyList<ArchitectureRow> architecture, IReadOnlyList<AttemptRow> attempts)
    {
        Member = member;
        Trial = trial;
        Config = config;
        AllMetrics = metrics.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Step).ToList();
        _metrics = AllMetrics.GroupBy(m => m.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<MetricRow>)g.ToList(), StringComparer.Ordinal);
        Checkpoints = checkpoints.OrderBy(c => c.Step).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        Probes = probes.OrderBy(p => p.Step).ThenBy(p => p.Checkpoint, StringComparer.Ordinal).ThenBy(p => p.Input, StringComparer.Ordinal).ToList();
        Samples = samples;
        Architecture = architecture.OrderBy(a => a.Ordinal).ToList();
        Attempts = attempts.OrderBy(a => a.Attempt).ToList();
    }

    public SweepTrialRow Member { get; }
    public TrialRow Trial { get; }
    public TrialConfig Config { get; }
    /// <summary>All metric rows ordered by (name, step).</summary>
    public IReadOnlyList<MetricRow> AllMetrics { get; }
    /// <summary>Checkpoints in step order.</summary>
    public IReadOnlyList<CheckpointRow> Checkpoints { get; }
    /// <summary>Probes in step order.</summary>
    public IReadOnlyList<ProbeRow> Probes { get; }
    public IReadOnlyList<SampleRow> Samples { get; }
    public IReadOnlyList<ArchitectureRow> Architecture { get; }
    /// <summary>The trial's attempts (each start of a Runner), oldest first.</summary>
    public IReadOnlyList<AttemptRow> Attempts { get; }

    public string Id => Trial.TrialId;
    public string State => Trial.State;
    public bool IsCompleted => Trial.State == TrialStates.Completed;

    /// <summary>The rows of one metric in step order (empty if never recorded).</summary>
    public IReadOnlyList<MetricRow> Metric(string name) => _metrics.TryGetValue(name, out var rows) ? rows : [];
}
