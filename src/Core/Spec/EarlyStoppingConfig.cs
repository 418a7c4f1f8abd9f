using System.Globalization;
using Core.Store;

namespace Core.Spec;

/// <summary>
/// The spec's <c>early_stopping:</c> (opt-in): the rule that stops hopeless trials at epoch ends, from
/// what the store holds for the same sweep at the same epoch (<see cref="Store.EarlyStopping"/>).
/// Not part of any trial's identity: changing it reruns nothing.
/// </summary>
/// <param name="Rule"><see cref="Median"/> or <see cref="Asha"/>.</param>
/// <param name="Metric">A per-epoch metric where lower is better (<see cref="Metrics"/>).</param>
/// <param name="GraceEpochs">median: no decision before this epoch; asha: the first rung.</param>
/// <param name="MinPeers">median: decide only once this many other trials have reached the epoch.</param>
/// <param name="ReductionFactor">asha: rungs at grace · factor^k; a trial goes on past a rung only in the best 1/factor there.</param>
public sealed record EarlyStoppingConfig(string Rule, string Metric = MetricNames.ValLoss, int GraceEpochs = 1, int MinPeers = EarlyStoppingConfig.DefaultMinPeers,
    int ReductionFactor = EarlyStoppingConfig.DefaultReductionFactor)
{
    public const string Median = "median", Asha = "asha";
    public static readonly string[] Rules = [Median, Asha];

    /// <summary>The metrics a rule may read: per-epoch, lower is better.</summary>
    public static readonly string[] Metrics = [MetricNames.ValLoss, MetricNames.ValError, MetricNames.EpochTrainLoss, MetricNames.TrainError];

    public const int DefaultMinPeers = 3, DefaultReductionFactor = 3;

    /// <summary>The rule as the Runner's <c>--early-stopping</c> option writes it: <c>rule,metric,grace,min_peers,reduction_factor</c>.</summary>
    public string ToArgument() => string.Join(',', Rule, Metric, I(GraceEpochs), I(MinPeers), I(ReductionFactor));

    /// <summary>Reads <see cref="ToArgument"/>'s form back; null with what is wrong when it does not fit.</summary>
    public static (EarlyStoppingConfig? Config, string? Error) Parse(string text)
    {
        var parts = text.Split(',');
        if (parts.Length == 5 && Rules.Contains(parts[0]) && Metrics.Contains(parts[1])
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var grace) && grace >= 1
            && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var peers) && peers >= 1
            && int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var factor) && factor >= 2)
            return (new EarlyStoppingConfig(parts[0], parts[1], grace, peers, factor), null);
        return (null, $"must be RULE,METRIC,GRACE,MIN_PEERS,REDUCTION_FACTOR (rule {string.Join(" or ", Rules)}, metric one of {string.Join(", ", Metrics)}), got '{text}'");
    }

    /// <summary>For people: "median of val_loss from epoch 1 (at least 3 peers)", "asha on val_loss, rungs at epochs 1, 3, 9, … (reduction factor 3)".</summary>
    public string Describe() => Rule == Median
        ? $"median rule on {Metric} from epoch {GraceEpochs} (once at least {MinPeers} other trials reached the epoch)"
        : $"asha on {Metric}, rungs at epochs {GraceEpochs}, {GraceEpochs * ReductionFactor}, {GraceEpochs * ReductionFactor * ReductionFactor}, … (best 1/{ReductionFactor} go on)";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
