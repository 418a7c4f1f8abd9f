using Core.Store;

namespace Orchestrator.Serve;

/// <summary>
/// Thins a curve on the server before it reaches a page: the points are cut into equal runs and each
/// run keeps its lowest and highest value (in step order), so spikes survive and a 10,000-step
/// curve reaches the page as at most <c>max</c> points.
/// </summary>
internal static class Downsample
{
    public const int DefaultMax = 1000;

    public static IReadOnlyList<SeriesPoint> MinMax(IReadOnlyList<SeriesPoint> points, int max = DefaultMax)
    {
        if (max < 2) throw new ArgumentOutOfRangeException(nameof(max), max, "keep at least 2 points");
        if (points.Count <= max) return points;
        var buckets = max / 2;
        var kept = new List<SeriesPoint>(buckets * 2);
        for (var b = 0; b < buckets; b++)
        {
            var start = (int)((long)b * points.Count / buckets);
            var end = (int)((long)(b + 1) * points.Count / buckets);
            int low = start, high = start;
            for (var i = start + 1; i < end; i++)
            {
                if (points[i].Value < points[low].Value) low = i;
                if (points[i].Value > points[high].Value) high = i;
            }
            kept.Add(points[Math.Min(low, high)]);
            if (low != high) kept.Add(points[Math.Max(low, high)]);
        }
        return kept;
    }
}
