using Reporting.Analysis;

namespace Reporting.Sections;

/// <summary>
/// How sections 2 and 3 group curves: the first factor besides the cell type sets the line style
/// (color = cell type), and every combination of the remaining factors gets its own figure.
/// </summary>
internal sealed record CurveGroup(string Title, string Stem, IReadOnlyList<ConfigGroup> Configs);

internal static class CurveGroups
{
    public static Factor? LineFactor(Design d) => d.Others.FirstOrDefault();

    public static IReadOnlyList<CurveGroup> Of(Design d)
    {
        var line = LineFactor(d);
        var free = line is null ? new[] { d.Cell } : [d.Cell, line];
        var held = d.Others.Where(f => f != line).ToList();
        return d.HoldFixed(free).Select(configs =>
        {
            var parts = held.Select(f => f.Describe(configs[0].ValueOf(f))).ToList();
            return new CurveGroup(parts.Count > 0 ? string.Join(", ", parts) : "all configurations",
                parts.Count > 0 ? string.Join("-", parts) : "all", configs);
        }).ToList();
    }

    /// <summary>The factors a legend names inside one group: the cell type and the line factor.</summary>
    public static IReadOnlyList<Factor> LegendFactors(Design d) => LineFactor(d) is { } f ? [d.Cell, f] : [d.Cell];

    /// <summary>"2.310 → 1.950 → 1.801" for a per-epoch curve.</summary>
    public static string Trajectory(Curve c, Func<double, string> format) =>
        c.IsEmpty ? Format.Missing : string.Join(" → ", c.Y.Select(format));
}
