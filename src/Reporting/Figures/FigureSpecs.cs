using System.Globalization;

namespace Reporting.Figures;

/// <summary>
/// One line of a chart. <see cref="AllMarkers"/> puts a marker on every point (per-epoch curves);
/// otherwise a few markers are spread along the line (dense per-step curves), so the series can be
/// told apart by shape as well as colour. <see cref="Spread"/> (± per point, e.g. the seeds' standard
/// deviation) draws a band around it.
/// </summary>
internal sealed record SeriesSpec(string Label, double[] X, double[] Y, SeriesStyle Style, bool AllMarkers, double[]? Spread = null);

/// <summary>A second x axis along the top of a panel showing x × <see cref="Factor"/> (characters seen for optimizer steps).</summary>
internal sealed record TopAxis(string Label, double Factor);

/// <summary>
/// One set of axes. <see cref="EpochAxis"/> puts integer ticks at 1..N on x; <see cref="XMarks"/> draws faint
/// vertical lines (epoch ends); <see cref="Top"/> adds a second x scale.
/// </summary>
internal sealed record PanelSpec(string Title, string XLabel, string YLabel, IReadOnlyList<SeriesSpec> Series, bool EpochAxis, bool ShowLegend,
    IReadOnlyList<double>? XMarks = null, TopAxis? Top = null);

/// <summary>
/// A figure of one or more panels, laid out by their number (<see cref="FigureLayout"/>). <see cref="Y"/> fixes the y
/// range of every panel (a range shared with other figures); null lets each panel fit its own data.
/// </summary>
internal sealed record LineFigure(IReadOnlyList<PanelSpec> Panels, AxisRange? Y);

/// <summary>
/// A grid of values (rows × columns; NaN where missing) with a text label in each cell; <see cref="Colour"/> is the
/// value range the colour map spans (shared by figures meant to be compared). The colour bar has no label of its own:
/// the title names the quantity and its unit.
/// </summary>
internal sealed record HeatmapFigure(string Title, string XLabel, string YLabel, IReadOnlyList<string> XLevels, IReadOnlyList<string> YLevels,
    double[,] Values, string[,] CellText, AxisRange Colour);

/// <summary>
/// Values per category, one marker per series, side by side: a dot chart. <see cref="Link"/> joins the series'
/// markers of a category with a thin line, so each group reads as one comparison (a dumbbell chart).
/// </summary>
internal sealed record DotPanel(string Title, string YLabel, string XLabel, IReadOnlyList<string> Categories, IReadOnlyList<DotSeries> Series, bool Link);

/// <summary>A dot chart of one or more panels side by side.</summary>
internal sealed record DotFigure(IReadOnlyList<DotPanel> Panels);

/// <summary>One series of a dot chart: per category a value, optionally with a whisker from <see cref="DotValue.Lo"/> to <see cref="DotValue.Hi"/>.</summary>
internal sealed record DotSeries(string Label, SeriesStyle Style, IReadOnlyList<DotValue?> Values);

internal readonly record struct DotValue(double Value, double? Lo = null, double? Hi = null);

/// <summary>A closed range of an axis or of a colour scale.</summary>
internal readonly record struct AxisRange(double Min, double Max)
{
    /// <summary>
    /// The range that shows every finite value (and band) of <paramref name="series"/> with a small margin;
    /// null without values. Computed once for all figures that share a scale.
    /// </summary>
    public static AxisRange? Padded(IEnumerable<SeriesSpec> series)
    {
        var ys = series.SelectMany(s => s.Spread is { } d ? s.Y.Zip(d, (y, e) => y - e).Concat(s.Y.Zip(d, (y, e) => y + e)) : s.Y);
        return Padded(ys);
    }

    public static AxisRange? Padded(IEnumerable<double> values)
    {
        var ys = values.Where(double.IsFinite).ToList();
        if (ys.Count == 0) return null;
        double lo = ys.Min(), hi = ys.Max();
        var pad = Math.Max((hi - lo) * 0.06, Math.Abs(hi) * 0.01 + 1e-9);
        return new AxisRange(lo - pad, hi + pad);
    }

    /// <summary>The range from the lowest to the highest finite value (a colour scale); null without values.</summary>
    public static AxisRange? Of(IEnumerable<double> values)
    {
        var xs = values.Where(double.IsFinite).ToList();
        if (xs.Count == 0) return null;
        var (lo, hi) = (xs.Min(), xs.Max());
        return hi - lo < 1e-12 ? new AxisRange(lo - 0.5, hi + 0.5) : new AxisRange(lo, hi);
    }

    /// <summary>"1.85 to 3.40" with <paramref name="decimals"/> decimals, for a caption.</summary>
    public string Show(int decimals = 2)
    {
        var f = "0." + new string('0', decimals);
        return $"{Min.ToString(f, CultureInfo.InvariantCulture)} to {Max.ToString(f, CultureInfo.InvariantCulture)}";
    }
}

/// <summary>Points of one scatter series (no line): one marker per point, in <see cref="Style"/>'s colour and shape.</summary>
internal sealed record ScatterSeries(string Label, double[] X, double[] Y, SeriesStyle Style);

/// <summary>
/// A scatter plot: x already on its drawing scale (log10 of the value on a log axis, the category's index plus a small
/// offset for categories); <see cref="XRange"/> the x limits and <see cref="XTicks"/> where the labelled ticks go (null:
/// automatic); <see cref="Y"/> the y range, shared with the figures it is compared with.
/// </summary>
internal sealed record ScatterFigure(string Title, string XLabel, string YLabel, IReadOnlyList<ScatterSeries> Series,
    AxisRange XRange, IReadOnlyList<(double At, string Label)>? XTicks, AxisRange Y);
