using ScottPlot;

namespace Reporting.Figures;

/// <summary>
/// The report's visual vocabulary: one hue per cell type (the same in every figure), a shade, line
/// pattern and marker per level of the factor a figure varies (lighter/solid for the smallest level).
/// </summary>
internal static class Palette
{
    private static readonly (string Cell, Color Color)[] Known =
    [
        ("gru", Color.FromHex("#1f77b4")),  // blue
        ("lstm", Color.FromHex("#d9480f")), // orange
        ("rnn", Color.FromHex("#2b8a3e")),  // green
    ];

    private static readonly Color[] Others =
        [Color.FromHex("#7048e8"), Color.FromHex("#c2255c"), Color.FromHex("#5c940d"), Color.FromHex("#495057")];

    private static readonly LinePattern[] Patterns =
    [
        LinePattern.Solid,
        LinePattern.Dashed,
        LinePattern.Dotted,
        LinePattern.DenselyDashed,
        new([12, 4, 3, 4], 0, "dash-dot"),
        new([3, 6], 0, "sparse dots"),
    ];

    private static readonly MarkerShape[] Markers =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond,
    ];

    /// <summary>The cell type's color; <paramref name="allCells"/> (in display order) assigns colors to unknown cell names stably.</summary>
    public static Color Of(string cell, IReadOnlyList<string> allCells)
    {
        foreach (var (name, color) in Known) if (name == cell) return color;
        var unknown = allCells.Where(c => Known.All(k => k.Cell != c)).ToList();
        var i = Math.Max(0, unknown.IndexOf(cell));
        return Others[i % Others.Length];
    }

    /// <summary>The cell's hue, lighter for low levels and darker for high ones (the base color for a single level).</summary>
    public static Color Shade(Color baseColor, int level, int levels)
    {
        if (levels <= 1) return baseColor;
        var (_, _, l) = baseColor.ToHSL();
        var t = (double)level / (levels - 1);             // 0 … 1
        var target = Math.Clamp(l + 0.16 - 0.30 * t, 0.18, 0.72);
        return baseColor.WithLightness((float)target);
    }

    public static LinePattern Pattern(int level) => Patterns[level % Patterns.Length];

    public static MarkerShape Marker(int level) => Markers[level % Markers.Length];
}
