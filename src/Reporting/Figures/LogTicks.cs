using System.Globalization;

namespace Reporting.Figures;

/// <summary>
/// Tick marks of a log axis that a reader can read off: at 1 and 3 times each power of ten (1e-4, 3e-4, 1e-3, …),
/// or at 1, 2 and 5 times, or every whole multiple when the range is too narrow for three of those. Positions are
/// log10 of the value, as the axis is drawn.
/// </summary>
internal static class LogTicks
{
    private static readonly int[][] Steps = [[1, 3], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

    /// <summary>The ticks between <paramref name="low"/> and <paramref name="high"/> (values, both &gt; 0).</summary>
    public static IReadOnlyList<(double At, string Label)> Between(double low, double high)
    {
        List<double> values = [];
        foreach (var steps in Steps)
        {
            values = [];
            for (var e = (int)Math.Floor(Math.Log10(low)); e <= (int)Math.Ceiling(Math.Log10(high)); e++)
                foreach (var m in steps)
                {
                    var v = double.Parse($"{m}e{e}", CultureInfo.InvariantCulture); // exact decimal, no 3 × 1e-4 rounding
                    if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) values.Add(v);
                }
            if (values.Count >= 3) break;
        }
        var scientific = values.Any(v => v < 1e-3 || v >= 1e4);
        return values.Select(v => (Math.Log10(v), Label(v, scientific))).ToList();
    }

    /// <summary>"3e-4" (scientific), or "0.03", "300" (plain).</summary>
    public static string Label(double v, bool scientific)
    {
        if (!scientific) return v.ToString("0.######", CultureInfo.InvariantCulture);
        var e = (int)Math.Floor(Math.Log10(v) + 1e-9);
        var m = Math.Round(v / Math.Pow(10, e), 6);
        return $"{m.ToString("0.##", CultureInfo.InvariantCulture)}e{e.ToString(CultureInfo.InvariantCulture)}";
    }
}
