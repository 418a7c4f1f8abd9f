using ScottPlot;

namespace Reporting.Figures;

/// <summary>One line of a chart; <see cref="Spread"/> (± per point, e.g. the seeds' standard deviation) draws a band around it.</summary>
internal sealed record SeriesSpec(string Label, double[] X, double[] Y, Color Color, LinePattern Pattern, MarkerShape Marker, bool ShowMarkers, double[]? Spread = null);

/// <summary>One set of axes. <see cref="EpochAxis"/> puts integer ticks at 1..N on x; <see cref="XMarks"/> draws faint vertical lines (epoch ends).</summary>
internal sealed record PanelSpec(string Title, string XLabel, string YLabel, IReadOnlyList<SeriesSpec> Series, bool EpochAxis, bool ShowLegend,
    IReadOnlyList<double>? XMarks = null);

/// <summary>A figure of one or more panels laid out in <see cref="Columns"/> columns, optionally sharing the y range.</summary>
internal sealed record LineFigure(IReadOnlyList<PanelSpec> Panels, int Columns, bool ShareY);

/// <summary>A grid of values (rows × columns; NaN where missing) with a text label in each cell.</summary>
internal sealed record HeatmapFigure(string Title, string XLabel, string YLabel, IReadOnlyList<string> XLevels, IReadOnlyList<string> YLevels,
    double[,] Values, string[,] CellText, string ColorbarLabel);

/// <summary>
/// Matched values side by side: one column per category, one marker per series, joined by a thin line so
/// each pair reads as one comparison (a dumbbell chart); the y axis is zoomed to the values.
/// </summary>
internal sealed record PairedFigure(string Title, string YLabel, string XLabel, IReadOnlyList<string> Categories, IReadOnlyList<PairedSeries> Series);

internal sealed record PairedSeries(string Label, Color Color, MarkerShape Marker, IReadOnlyList<double?> Values);
