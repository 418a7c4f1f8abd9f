using Core.Store;
using Orchestrator.Serve;

namespace Orchestrator.Tests.Serve;

public sealed class DownsampleTests
{
    private static List<SeriesPoint> Curve(int n, Func<int, double> value) => Enumerable.Range(0, n).Select(i => new SeriesPoint(i, null, value(i))).ToList();

    [Fact]
    public void A_short_curve_is_kept_whole()
    {
        var curve = Curve(1000, i => i);
        Assert.Same(curve, Downsample.MinMax(curve));
    }

    [Fact]
    public void A_long_curve_keeps_at_most_max_points_in_step_order_with_every_spike()
    {
        var curve = Curve(100_000, i => i == 54_321 ? 99 : i == 77_777 ? -99 : Math.Sin(i / 1000.0));
        var kept = Downsample.MinMax(curve);
        Assert.InRange(kept.Count, 2, Downsample.DefaultMax);
        Assert.Equal(kept.OrderBy(p => p.Step).Select(p => p.Step), kept.Select(p => p.Step));
        Assert.Contains(kept, p => p.Step == 54_321 && p.Value == 99);
        Assert.Contains(kept, p => p.Step == 77_777 && p.Value == -99);
        Assert.Equal(0, kept[0].Step);
    }
}
