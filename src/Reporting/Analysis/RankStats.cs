namespace Reporting.Analysis;

/// <summary>
/// Rank statistics for "which sampled parameter mattered most": each says what share of the variance of the
/// losses' ranks one parameter explains alone. Ties get the mean of the ranks they span, so the results do not
/// depend on the order of the trials.
/// </summary>
internal static class RankStats
{
    /// <summary>Ranks 1..n of <paramref name="values"/> in their order; tied values share the mean of their ranks.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            var rank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Spearman's ρ: the Pearson correlation of the ranks of <paramref name="x"/> and <paramref name="y"/>
    /// (exact with ties). NaN when either takes a single value or there are fewer than two pairs.
    /// </summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} values against {y.Count}");
        if (x.Count < 2) return double.NaN;
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>
    /// The correlation ratio η² of the ranks of <paramref name="y"/> across the groups <paramref name="group"/>:
    /// the between-group sum of squares of the ranks over their total sum of squares (the effect size of the
    /// Kruskal–Wallis test). NaN when <paramref name="y"/> takes a single value or there are fewer than two values.
    /// </summary>
    public static double EtaSquared(IReadOnlyList<string> group, IReadOnlyList<double> y)
    {
        if (group.Count != y.Count) throw new ArgumentException($"{group.Count} groups against {y.Count} values");
        if (y.Count < 2) return double.NaN;
        var ranks = Ranks(y);
        var mean = ranks.Average();
        var total = ranks.Sum(r => (r - mean) * (r - mean));
        if (total == 0) return double.NaN;
        var between = Enumerable.Range(0, y.Count).GroupBy(i => group[i], StringComparer.Ordinal)
            .Sum(g => g.Count() * Math.Pow(g.Average(i => ranks[i]) - mean, 2));
        return between / total;
    }
}
