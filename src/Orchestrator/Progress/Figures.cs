using System.Globalization;

namespace Orchestrator.Progress;

/// <summary>How numbers read in progress lines and tables: losses to 4 places, rates with thousands separators, short durations; "-" when unknown.</summary>
internal static class Figures
{
    public static string Num(double? v, string format = "0.0000") =>
        v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string Rate(double? charsPerSec) =>
        charsPerSec is { } c && double.IsFinite(c) ? c.ToString("#,0", CultureInfo.InvariantCulture) : "-";

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:0.0}s";
}
