using System.Globalization;

namespace Reporting;

/// <summary>How numbers appear in report.md: invariant culture, fixed precision per kind, "—" for missing.</summary>
internal static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string Missing = "—";

    /// <summary>A loss in nats per character, 4 decimals.</summary>
    public static string Loss(double? v) => v is { } x ? x.ToString("0.0000", Inv) : Missing;

    /// <summary>A signed loss difference, 4 decimals.</summary>
    public static string Delta(double? v) => v is { } x ? (x >= 0 ? "+" : "−") + Math.Abs(x).ToString("0.0000", Inv) : Missing;

    /// <summary>An error rate (0..1) as a percentage with 2 decimals.</summary>
    public static string Percent(double? v) => v is { } x ? (x * 100).ToString("0.00", Inv) + " %" : Missing;

    /// <summary>A probability, 3 decimals.</summary>
    public static string Prob(double v) => v.ToString("0.000", Inv);

    public static string Int(long? v) => v is { } x ? x.ToString("#,0", Inv) : Missing;

    public static string Rate(double? v) => v is { } x ? Math.Round(x).ToString("#,0", Inv) : Missing;

    /// <summary>A duration: seconds below 2 minutes, minutes below 2 hours, hours above.</summary>
    public static string Seconds(double? v) => v switch
    {
        null => Missing,
        < 10 => v.Value.ToString("0.00", Inv) + " s",
        < 120 => v.Value.ToString("0.0", Inv) + " s",
        < 7200 => (v.Value / 60).ToString("0.0", Inv) + " min",
        _ => (v.Value / 3600).ToString("0.00", Inv) + " h",
    };

    public static string Number(double v, string format = "0.####") => v.ToString(format, Inv);

    /// <summary>Float32 size as Keras prints it: bytes / 2^20, labelled MB.</summary>
    public static string Megabytes(long parameters) => (parameters * 4 / 1048576.0).ToString("0.00", Inv) + " MB";

    /// <summary>"a, b and c".</summary>
    public static string List(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>The text with its first letter upper-case ("learning rate" → "Learning rate").</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    public static string Plural(long n, string singular, string? plural = null) =>
        $"{n.ToString("#,0", Inv)} {(n == 1 ? singular : plural ?? singular + "s")}";
}
