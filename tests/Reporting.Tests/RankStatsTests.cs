using Core.Spec;
using Reporting.Analysis;
using Reporting.Figures;

namespace Reporting.Tests;

/// <summary>The statistics behind "which sampled parameter mattered most", against values worked out by hand.</summary>
public sealed class RankStatsTests
{
    [Fact]
    public void Tied_values_share_the_mean_of_their_ranks()
    {
        Assert.Equal([1, 2.5, 2.5, 4], RankStats.Ranks([10, 20, 20, 30]));
        Assert.Equal([3, 1, 2], RankStats.Ranks([0.3, 0.1, 0.2]));
    }

    [Fact]
    public void Spearman_rho_matches_hand_computed_values_with_and_without_ties()
    {
        // No ties: d = (−1, 1, −1, 1, 0), Σd² = 4, ρ = 1 − 6·4 / (5·24) = 0.8.
        Assert.Equal(0.8, RankStats.Spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 12);
        // Ties in x: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): Sxy = 4.5, Sxx = 4.5, Syy = 5, ρ = 4.5 / √22.5 = 3 / √10.
        Assert.Equal(3 / Math.Sqrt(10), RankStats.Spearman([1, 2, 2, 3], [1, 2, 3, 4]), 12);
        Assert.Equal(-1, RankStats.Spearman([1, 2, 3], [9, 5, 1]), 12);
        // Ranks do not change on a log scale: a log-uniform parameter's ρ is the same on its values and on their logs.
        double[] lr = [1e-4, 3e-3, 2e-4, 1e-2, 5e-4], loss = [1.9, 2.4, 1.8, 2.2, 2.0];
        Assert.Equal(RankStats.Spearman(lr, loss), RankStats.Spearman(lr.Select(Math.Log10).ToList(), loss), 12);
        Assert.True(double.IsNaN(RankStats.Spearman([1, 1, 1], [1, 2, 3])), "a parameter with one value has no ρ");
    }

    [Fact]
    public void Eta_squared_is_the_share_of_the_rank_variance_between_the_groups()
    {
        // Ranks 1..4, mean 2.5, total SS 5. Groups {1,2} and {3,4}: means 1.5 and 3.5, between SS 2·1 + 2·1 = 4 → 0.8.
        Assert.Equal(0.8, RankStats.EtaSquared(["a", "a", "b", "b"], [1, 2, 3, 4]), 12);
        // Groups {1,3} and {2,4}: means 2 and 3, between SS 2·0.25 + 2·0.25 = 1 → 0.2.
        Assert.Equal(0.2, RankStats.EtaSquared(["a", "b", "a", "b"], [1, 2, 3, 4]), 12);
        // Tied losses: ranks (1.5, 1.5, 3), total SS 1.5, all of it between the groups → 1.
        Assert.Equal(1.0, RankStats.EtaSquared(["gru", "gru", "lstm"], [5, 5, 9]), 12);
        Assert.True(double.IsNaN(RankStats.EtaSquared(["a", "b"], [2, 2])), "equal losses have no rank variance to explain");
    }

    private static ParamShare Numeric(string path, double share, double rho) =>
        new(new SampledParam(new Factor(path, [new("1", 1), new("2", 2)]), new SearchAxis(path, "uniform", 1, 2)), share, rho, 8);

    private static ParamShare Categorical(string path, double share, int values) =>
        new(new SampledParam(new Factor(path, [new("a", null), new("b", null)]), new SearchAxis(path, SearchAxis.List)), share, null, values);

    [Fact]
    public void A_parameter_is_named_only_from_enough_trials_above_chance_and_clearly_ahead_of_the_next()
    {
        var lr = Numeric("train.lr", 0.62, 0.79);
        var cell = Categorical("model.cell", 0.30, 2);
        Assert.Null(ParamImportance.RefusalOf([lr, cell], 8));
        Assert.Equal("only 5 trials have completed; it takes at least 6", ParamImportance.RefusalOf([lr, cell], 5));
        // Chance with 8 trials: 1/7 ≈ 0.14 for ρ²; (3 − 1)/7 ≈ 0.29 for η² over 3 values.
        Assert.Equal(1.0 / 7, lr.Chance(8), 12);
        Assert.Equal("the largest share, 0.25 for cell type, is no more than chance alone gives (≈ 0.29 with 8 trials)",
            ParamImportance.RefusalOf([Categorical("model.cell", 0.25, 3), Numeric("train.lr", 0.05, 0.2)], 8));
        Assert.Equal("learning rate (0.62) and cell type (0.55) are less than 0.10 apart, too close to tell apart with 8 trials",
            ParamImportance.RefusalOf([lr, Categorical("model.cell", 0.55, 2)], 8));
        Assert.Equal("ρ² = 0.62 (ρ = +0.79, lower learning rate → lower loss; chance level ≈ 0.14)", lr.Statistic(8));
        Assert.Equal("higher learning rate → lower loss", Numeric("train.lr", 0.5, -0.7).Direction);
    }

    [Fact]
    public void Log_axis_ticks_sit_at_1_and_3_times_powers_of_ten_with_readable_labels()
    {
        var ticks = LogTicks.Between(1e-5, 0.03);
        Assert.Equal(["1e-5", "3e-5", "1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2"], ticks.Select(t => t.Label));
        Assert.Equal(Math.Log10(3e-4), ticks[3].At, 12);
        Assert.Equal(["0.1", "0.3", "1"], LogTicks.Between(0.1, 1).Select(t => t.Label));
        Assert.Equal(["0.002", "0.005", "0.01"], LogTicks.Between(0.0015, 0.012).Select(t => t.Label)); // too narrow for 1 and 3 alone
    }
}
