using System.Globalization;

namespace Core.Store;

/// <summary>
/// The one way the store and the checkpoints write time: UTC to the millisecond as text
/// (<c>2025-01-31T14:03:07.123Z</c>, which sorts as it reads), and Unix seconds with milliseconds
/// where a number is compared (leases, metric wall times).
/// </summary>
public static class Timestamps
{
    /// <summary>The text format of every timestamp column (created_at, started_at, …) and of a checkpoint's created_at.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Now, in <see cref="Format"/>.</summary>
    public static string Now() => DateTime.UtcNow.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Seconds since the Unix epoch, to the millisecond.</summary>
    public static double UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
