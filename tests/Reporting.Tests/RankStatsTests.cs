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
