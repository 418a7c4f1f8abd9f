using System.Globalization;
using Core.Spec;
using Dapper;

namespace Core.Store;

/// <summary>
/// A rule's verdict on one trial at one epoch end, with its evidence: the trial's value of the
/// metric there, the threshold it had to beat, and how many other trials of the sweep had reached
/// that epoch. Recorded on a stopped trial (<c>trials.stop_*</c>).
/// </summary>
public sealed record StopDecision(bool Stop, string Rule, string Metric, int Epoch, double Value, double Threshold, int Peers)
{
    /// <summary>"stopped at epoch 2 by the median rule: val_loss 2.4123 is worse than the median 2.0511 of 4 other trials at epoch 2".</summary>
    public string Describe() => Rule == EarlyStoppingConfig.Median
        ? $"stopped at epoch {Epoch} by the median rule: {Metric} {V(Value)} is worse than the median {V(Threshold)} of {Peers} other trial(s) at epoch {Epoch}"
        : $"stopped at epoch {Epoch} by asha: {Metric} {V(Value)} is worse than {V(Threshold)}, the cut-off for going on past this rung among {Peers + 1} trial(s) that reached it";

    /// <summary>The decision a stopped trial's <c>stop_*</c> columns hold; null when they hold none.</summary>
    public static StopDecision? Recorded(string? rule, int? epoch, string? metric, double? value, double? threshold, int? peers) =>
        rule is not null && epoch is { } e ? new StopDecision(true, rule, metric ?? "", e, value ?? double.NaN, threshold ?? double.NaN, peers ?? 0) : null;

    private static string V(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>
/// The early-stopping decision for the trials of one sweep: at an epoch end, compare a trial's value
/// of the rule's metric with what the store holds for the sweep's other trials at the same epoch.
/// Every Runner asks for its own trial only, from the shared store, so local runs and Slurm workers
/// on several hosts decide alike; the verdict is recorded with the trial's end, under its lease
/// (<see cref="TrialRepository.Stop"/>), so two deciders never overwrite each other's records.
/// </summary>
public sealed class EarlyStopping(Database db, string sweep, EarlyStoppingConfig rule)
{
    public EarlyStoppingConfig Rule => rule;

    /// <summary>The verdict for <paramref name="trialId"/> after <paramref name="epoch"/> with <paramref name="value"/>; null when the rule does not decide there.</summary>
    public StopDecision? Decide(string trialId, int epoch, double value) =>
        IsDecisionEpoch(rule, epoch) ? Judge(rule, epoch, value, PeerValues(trialId, epoch)) : null;

    /// <summary>The values of the metric at <paramref name="epoch"/> that the sweep's other trials recorded.</summary>
    public IReadOnlyList<double> PeerValues(string trialId, int epoch)
    {
        return db.Run(c =>
        {
            return c.Query<double>("""
                SELECT m.value FROM metrics m JOIN sweep_trials st ON st.trial_id = m.trial_id
                WHERE st.sweep = @sweep AND m.trial_id <> @trialId AND m.name = @metric AND m.epoch = @epoch
                """, new { sweep, trialId, metric = rule.Metric, epoch }).AsList();
        });
    }

    /// <summary>median: every epoch from grace_epochs on; asha: the rungs grace_epochs · reduction_factor^k.</summary>
    public static bool IsDecisionEpoch(EarlyStoppingConfig rule, int epoch)
    {
        if (epoch < rule.GraceEpochs) return false;
        if (rule.Rule == EarlyStoppingConfig.Median) return true;
        for (long rung = rule.GraceEpochs; rung <= epoch; rung *= rule.ReductionFactor)
            if (rung == epoch) return true;
        return false;
    }

    /// <summary>
    /// The rule applied to a trial's <paramref name="value"/> and its <paramref name="peers"/>' at a decision epoch (lower is better).
    /// median (Google Vizier's median stopping rule, Optuna's MedianPruner): stop when the value is worse than
    /// the peers' median, once at least min_peers peers reached the epoch; null before that.
    /// asha (Li et al., "A System for Massively Parallel Hyperparameter Tuning"; Ray Tune's ASHA): go on
    /// only within the best 1/reduction_factor of the values recorded at this rung, this trial's included
    /// (cut-off: that quantile, interpolated linearly), so the first trials to reach a rung go on.
    /// </summary>
    public static StopDecision? Judge(EarlyStoppingConfig rule, int epoch, double value, IReadOnlyList<double> peers)
    {
        if (rule.Rule == EarlyStoppingConfig.Median)
        {
            if (peers.Count < rule.MinPeers) return null;
            var median = Quantile(peers, 0.5);
            return new StopDecision(value > median, rule.Rule, rule.Metric, epoch, value, median, peers.Count);
        }
        var cutoff = Quantile([.. peers, value], 1.0 / rule.ReductionFactor);
        return new StopDecision(value > cutoff, rule.Rule, rule.Metric, epoch, value, cutoff, peers.Count);
    }

    /// <summary>The <paramref name="q"/>-quantile of <paramref name="values"/>, interpolated linearly between order statistics.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var at = q * (sorted.Length - 1);
        var below = (int)Math.Floor(at);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
    }
}
