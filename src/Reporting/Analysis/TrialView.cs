using Core.Store;
using Reporting.Data;

namespace Reporting.Analysis;

/// <summary>A trial with its factor values and computed numbers, as the sections use it.</summary>
internal sealed class TrialView(TrialData data, IReadOnlyDictionary<string, Level> values, TrialStats stats)
{
    public TrialData Data { get; } = data;
    public IReadOnlyDictionary<string, Level> Values { get; } = values;
    public TrialStats Stats { get; } = stats;
    public string Id => Data.Id;
    public string Cell => Data.Config.Model.Cell;
    public long Seed => Data.Config.Train.Seed;
    public int Repeat => Data.Member.Repeat;
    public bool IsCompleted => Data.IsCompleted;
    public bool HasMetrics => Data.AllMetrics.Count > 0;

    /// <summary>The configuration (grid cell) this trial is a seed of; set once the design is built.</summary>
    public ConfigGroup Group { get; internal set; } = null!;

    public Level ValueOf(Factor f) => Values[f.Path];

    /// <summary>"completed", "running: epoch 2 of 5 done", "pending", "failed (exit 3): diverged at step 40".</summary>
    public string StateText
    {
        get
        {
            var t = Data.Trial;
            var epochs = Data.Config.Train.Epochs;
            return t.State switch
            {
                TrialStates.Completed => "completed",
                TrialStates.Running => $"running: {t.Epoch} of {epochs} epochs done, step {t.Step}",
                TrialStates.Failed => "failed" + (t.ExitCode is { } c ? $" (exit {c})" : "") + (string.IsNullOrWhiteSpace(t.Failure) ? "" : ": " + t.Failure),
                TrialStates.Stopped => $"stopped early at epoch {t.Epoch} of {epochs}" + (t.Stop is { } stop ? $" ({stop.Rule}: {stop.Metric} {Format.Loss(stop.Value)} > {Format.Loss(stop.Threshold)})" : ""),
                TrialStates.Pending when t.Attempt > 0 => $"pending (attempt {t.Attempt} stopped at epoch {t.Epoch}" + (string.IsNullOrWhiteSpace(t.Failure) ? ")" : $": {t.Failure})"),
                _ => t.State,
            };
        }
    }
}
