namespace Reporting.Analysis;

/// <summary>A metric of a configuration as (x, y) points: x is the step, or the epoch for per-epoch metrics.</summary>
internal sealed record Curve(double[] X, double[] Y, int Seeds, double[]? Sd = null)
{
    public bool IsEmpty => X.Length == 0;

    /// <summary>
    /// The metric of <paramref name="config"/>'s <see cref="ConfigGroup.CurveTrials"/>; with several seeds,
    /// their mean at the x values all of them recorded, and the seeds' standard deviation there.
    /// </summary>
    public static Curve Of(ConfigGroup config, string metric, bool byEpoch)
    {
        var trials = config.CurveTrials;
        if (trials.Count == 0) return new Curve([], [], 0);
        var perTrial = trials.Select(t => t.Data.Metric(metric)
                .Where(m => !byEpoch || m.Epoch is not null)
                .GroupBy(m => byEpoch ? (double)m.Epoch!.Value : m.Step)
                .ToDictionary(g => g.Key, g => g.Last().Value))
            .ToList();
        var xs = perTrial[0].Keys.Where(x => perTrial.All(d => d.ContainsKey(x))).Order().ToArray();
        var ys = xs.Select(x => perTrial.Sum(d => d[x]) / perTrial.Count).ToArray();
        var sd = perTrial.Count < 2 ? null : xs.Select((x, i) =>
            Math.Sqrt(perTrial.Sum(d => (d[x] - ys[i]) * (d[x] - ys[i])) / (perTrial.Count - 1))).ToArray();
        return new Curve(xs, ys, trials.Count, sd);
    }
}
