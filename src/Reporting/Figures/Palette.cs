using ScottPlot;

namespace Reporting.Figures;

/// <summary>How one line or set of points is drawn: colour, marker and line pattern.</summary>
internal readonly record struct SeriesStyle(Color Color, MarkerShape Marker, LinePattern Pattern);

/// <summary>
/// The report's visual vocabulary, safe for colour-blind readers and for greyscale print. Within a
/// figure, every level of the compared factor gets its own colour AND its own marker shape (both
/// change together, so either alone tells the series apart); the cell type sets the line pattern
/// (solid, dashed, dotted, …) and whether markers are filled or open. The colours are the Okabe–Ito
/// palette without its yellow (too light on white); shapes and colours cycle with different periods
/// (7 and 5), so up to 35 levels get distinct colour-and-shape pairs.
/// </summary>
internal static class Palette
{
    /// <summary>Okabe &amp; Ito (2008): blue, vermillion, bluish green, reddish purple, orange, sky blue, black.</summary>
    public static readonly Color[] Colors =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#D55E00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#E69F00"), Color.FromHex("#56B4E9"), Color.FromHex("#000000"),
    ];

    private static readonly (MarkerShape Filled, MarkerShape Open)[] Shapes =
    [
        (MarkerShape.FilledCircle, MarkerShape.OpenCircle),
        (MarkerShape.FilledSquare, MarkerShape.OpenSquare),
        (MarkerShape.FilledTriangleUp, MarkerShape.OpenTriangleUp),
        (MarkerShape.FilledDiamond, MarkerShape.OpenDiamond),
        (MarkerShape.FilledTriangleDown, MarkerShape.OpenTriangleDown),
    ];

    private static readonly LinePattern[] Patterns =
    [
        LinePattern.Solid,
        new([9, 5], 0, "dashed"),
        new([2, 4], 0, "dotted"),
        new([12, 4, 2, 4], 0, "dash-dot"),
        new([16, 6], 0, "long dash"),
    ];

    /// <summary>The style of level <paramref name="level"/> of a figure's compared factor, drawn for the cell type at <paramref name="cellIndex"/>.</summary>
    public static SeriesStyle Of(int level, int cellIndex)
    {
        var level0 = Math.Max(0, level);
        var cell0 = Math.Max(0, cellIndex);
        var (filled, open) = Shapes[level0 % Shapes.Length];
        return new SeriesStyle(Colors[level0 % Colors.Length], cell0 % 2 == 0 ? filled : open, Patterns[cell0 % Patterns.Length]);
    }

    /// <summary>The line pattern that stands for the cell type at <paramref name="cellIndex"/> (the one <see cref="Of"/> gives it).</summary>
    public static LinePattern PatternOf(int cellIndex) => Patterns[Math.Max(0, cellIndex) % Patterns.Length];

    /// <summary>"solid", "dashed", … for a caption.</summary>
    public static string PatternName(int cellIndex) => Math.Max(0, cellIndex) % Patterns.Length == 0 ? "solid" : PatternOf(cellIndex).Name;
}
