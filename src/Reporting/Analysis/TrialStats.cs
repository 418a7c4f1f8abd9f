using Core.Store;
using Reporting.Data;

namespace Reporting.Analysis;

/// <summary>
/// The final and best numbers of one trial, computed from its metric rows. "Final" is the value at
/// the highest step; the best epoch is the epoch of the lowest validation loss (the earliest on ties);
/// throughput is the mean of the per-epoch characters/s and training time the sum of epoch seconds
/// (the same definitions as the store's trial_summary view).
/// </summary>
internal sealed record TrialStats(
    int EpochsRecorded,
    double? FinalTrainLoss,
    double? FinalValLoss,
    double? FinalTrainError,
    double? FinalValError,
    double? BestValLoss,
    int? BestEpoch,
    double? BestValError,
    double? CharsPerSec,
    double? TrainSeconds)
{
    /// <summary>Validation minus training loss at the last recorded epoch: how far the model fits the training text better.</summary>
    public double? Gap => FinalValLoss - FinalTrainLoss;

    /// <summary>How much the validation loss rose after its minimum (0 when the last epoch is the best).</summary>
    public double? Rise => FinalValLoss - BestValLoss;

    /// <summary>Validation loss rose after its minimum (needs at least two epochs).</summary>
    public bool Overfits => EpochsRecorded >= 2 && Rise > 0;

    public static TrialStats Of(TrialData t)
    {
        var val = t.Metric(MetricNames.ValLoss);
        MetricRow? best = null;
        foreach (var m in val)
            if (best is null || m.Value < best.Value) best = m; // rows are in step order: first minimum wins ties
        var seconds = t.Metric(MetricNames.EpochSeconds);
        var rates = t.Metric(MetricNames.CharsPerSec);
        return new TrialStats(
            EpochsRecorded: val.Count,
            FinalTrainLoss: Last(t, MetricNames.EpochTrainLoss),
            FinalValLoss: Last(t, MetricNames.ValLoss),
            FinalTrainError: Last(t, MetricNames.TrainError),
            FinalValError: Last(t, MetricNames.ValError),
            BestValLoss: best?.Value,
            BestEpoch: best is null ? null : best.Epoch ?? IndexOf(val, best) + 1,
            BestValError: t.Metric(MetricNames.ValError) is { Count: > 0 } e ? e.Min(m => m.Value) : null,
            CharsPerSec: rates.Count > 0 ? rates.Sum(m => m.Value) / rates.Count : null,
            TrainSeconds: seconds.Count > 0 ? seconds.Sum(m => m.Value) : null);
    }

    private static double? Last(TrialData t, string name) => t.Metric(name) is { Count: > 0 } rows ? rows[^1].Value : null;

    private static int IndexOf(IReadOnlyList<MetricRow> rows, MetricRow row)
    {
        for (var i = 0; i < rows.Count; i++) if (ReferenceEquals(rows[i], row)) return i;
        return -1;
    }
}
