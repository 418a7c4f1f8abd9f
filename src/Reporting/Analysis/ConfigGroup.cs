using Core.Store;

namespace Reporting.Analysis;

/// <summary>
/// One cell of the grid: the trials that share every factor value and differ only in seed (repeats).
/// Numbers are aggregated over its completed trials; <see cref="CurveTrials"/> falls back to the
/// unfinished ones so a partial sweep still shows its curves.
/// </summary>
internal sealed class ConfigGroup(IReadOnlyList<Level> key, IReadOnlyList<TrialView> trials)
{
    /// <summary>The level of each factor of <see cref="Design.Factors"/>, in that order.</summary>
    public IReadOnlyList<Level> Key { get; } = key;
    /// <summary>Seeds of this configuration in repeat order.</summary>
    public IReadOnlyList<TrialView> Trials { get; } = trials;
    public IReadOnlyList<TrialView> Completed { get; } = trials.Where(t => t.IsCompleted).ToList();
    public string Cell => Trials[0].Cell;
    public int Ordinal => Trials.Min(t => t.Data.Member.Ordinal);
    public bool HasResult => Completed.Count > 0;

    /// <summary>Completed seeds if any finished, else the seeds that recorded something (partial curves).</summary>
    public IReadOnlyList<TrialView> CurveTrials => Completed.Count > 0 ? Completed : Trials.Where(t => t.HasMetrics).ToList();

    /// <summary>True when <see cref="CurveTrials"/> are unfinished trials (numbers so far, not final).</summary>
    public bool IsPartial => Completed.Count == 0;

    /// <summary>A number over the completed seeds (null if none finished).</summary>
    public Stat? Final(Func<TrialStats, double?> metric) => Stat.Of(Completed.Select(t => metric(t.Stats)));

    /// <summary>A number over <see cref="CurveTrials"/>: final if completed, so far otherwise.</summary>
    public Stat? SoFar(Func<TrialStats, double?> metric) => Stat.Of(CurveTrials.Select(t => metric(t.Stats)));

    public Level ValueOf(Factor f) => Trials[0].ValueOf(f);

    /// <summary>"completed", "2 of 3 seeds completed, 1 running", or the single trial's state.</summary>
    public string StateText
    {
        get
        {
            if (Trials.Count == 1) return Trials[0].StateText;
            var byState = Trials.GroupBy(t => t.Data.State).ToDictionary(g => g.Key, g => g.Count());
            if (byState.Count == 1 && byState.ContainsKey(TrialStates.Completed)) return $"completed ({Trials.Count} seeds)";
            var parts = new List<string>();
            foreach (var s in new[] { TrialStates.Completed, TrialStates.Stopped, TrialStates.Running, TrialStates.Pending, TrialStates.Failed })
                if (byState.TryGetValue(s, out var n)) parts.Add($"{n} {s}");
            return $"{Trials.Count} seeds: " + string.Join(", ", parts);
        }
    }
}
