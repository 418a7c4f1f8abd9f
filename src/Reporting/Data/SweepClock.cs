using System.Globalization;
using Core.Store;

namespace Reporting.Data;

/// <summary>
/// When a sweep last changed: the newest of everything recorded about it — the sweep row, its trials' starts
/// and ends, every attempt's start and end, every metric's wall time, every checkpoint and sample. The
/// sweep row's own <c>updated_at</c> moves only when the sweep is registered, not while its trials train.
/// </summary>
internal static class SweepClock
{
    public static DateTime LastChange(SweepRow sweep, IReadOnlyList<TrialData> trials)
    {
        var newest = Parse(sweep.UpdatedAt) ?? Parse(sweep.CreatedAt) ?? DateTime.UnixEpoch;
        void Consider(DateTime? t)
        {
            if (t is { } x && x > newest) newest = x;
        }
        foreach (var t in trials)
        {
            Consider(Parse(t.Trial.CreatedAt));
            Consider(Parse(t.Trial.StartedAt));
            Consider(Parse(t.Trial.FinishedAt));
            foreach (var a in t.Attempts)
            {
                Consider(Parse(a.StartedAt));
                Consider(Parse(a.EndedAt));
            }
            if (t.AllMetrics.Count > 0) Consider(FromUnix(t.AllMetrics.Max(m => m.WallTime)));
            foreach (var c in t.Checkpoints) Consider(Parse(c.CreatedAt));
            foreach (var s in t.Samples) Consider(Parse(s.CreatedAt));
        }
        return newest;
    }

    /// <summary>A store timestamp (<see cref="Timestamps.Format"/>, UTC) as a UTC time; null when absent or unreadable.</summary>
    public static DateTime? Parse(string? text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Unix seconds (a metric's wall time) as a UTC time, to the millisecond.</summary>
    public static DateTime? FromUnix(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime : null;

    /// <summary>A time as the store writes it: <c>2025-01-31T14:03:07.123Z</c>.</summary>
    public static string Show(DateTime utc) => utc.ToString(Timestamps.Format, CultureInfo.InvariantCulture);
}
