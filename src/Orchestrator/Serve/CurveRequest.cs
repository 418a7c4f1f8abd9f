using System.Globalization;
using Core.Store;

namespace Orchestrator.Serve;

/// <summary>
/// One curve a page asks for, written <c>TRIAL:METRIC:AFTER</c> in the query string (<c>c=</c>,
/// repeated): the points of METRIC recorded for TRIAL after step AFTER (-1: from the start).
/// </summary>
internal sealed record CurveRequest(string TrialId, string Metric, long After)
{
    public static CurveRequest? Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0) return null;
        return long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var after) ? new CurveRequest(parts[0], parts[1], after) : null;
    }
}

/// <summary>
/// A curve's new points, thinned to at most <see cref="Downsample.DefaultMax"/> (<paramref name="Thinned"/>),
/// each as [step, epoch, value]; <paramref name="Last"/> is the step to ask after next time.
/// </summary>
internal sealed record Curve(string Trial, string Metric, IReadOnlyList<object?[]> Points, long Last, bool Thinned)
{
    public static Curve Read(SeriesReader reader, CurveRequest r)
    {
        var all = reader.After(r.TrialId, r.Metric, r.After);
        var kept = Downsample.MinMax(all);
        return new Curve(r.TrialId, r.Metric, kept.Select(p => new object?[] { p.Step, p.Epoch, double.IsFinite(p.Value) ? p.Value : null }).ToList(),
            all.Count == 0 ? r.After : all[^1].Step, kept.Count < all.Count);
    }
}
