using ScottPlot;
using ScottPlot.TickGenerators;

namespace Reporting.Figures;

/// <summary>
/// Turns figure specs into ScottPlot plots (a <see cref="FigureDrawing"/>; <see cref="FigureExport"/> writes the
/// files). Everything that influences pixels is set here explicitly (font, sizes, limits), so the same spec
/// gives the same bytes on every run and on every machine: all text uses the embedded <see cref="FigureFont"/>,
/// never a system font.
/// </summary>
internal static class FigureRenderer
{
    public const string FontName = FigureFont.Name;
    private const float TitleSize = 17, LabelSize = 15, TickSize = 13, LegendSize = 13;
    private const float LineWidth = 2.2f, MarkerSize = 8;
    /// <summary>About this many markers on a dense line (per-step curves), so its shape shows without hiding the line.</summary>
    private const int SparseMarkers = 8;

    public static FigureDrawing Draw(LineFigure figure)
    {
        var plain = new FigureLayout(figure.Panels.Count);
        var (panelWidth, panelHeight) = (plain.Width / plain.Columns, plain.Height / plain.Rows.Count);
        var spots = figure.Panels.Select(p => LegendSpotOf(p, figure.Y, panelWidth, panelHeight)).ToList();
        var layout = new FigureLayout(figure.Panels.Count, spots.Select(s => s is { Corner: null } ? s.Width : 0).ToList());
        var plots = figure.Panels.Select((p, i) => LinePanel(p, figure.Y, spots[i])).ToList();
        return new FigureDrawing(plots, layout, layout.Width, layout.Height, string.Join("; ", figure.Panels.Select(p => p.Title)));
    }

    public static FigureDrawing Draw(HeatmapFigure figure)
    {
        var plot = NewPlot();
        int rows = figure.YLevels.Count, cols = figure.XLevels.Count;
        var heatmap = plot.Add.Heatmap(figure.Values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Color.FromHex("#dee2e6");
        heatmap.FlipVertically = true; // row 0 (the smallest level) at the bottom
        heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles(); // crisp cells, no bitmap smoothing
        heatmap.Position = new CoordinateRect(0, Math.Max(1, cols - 1), 0, Math.Max(1, rows - 1)); // cell centers at 0..n-1
        var (lo, hi) = (figure.Colour.Min, figure.Colour.Max);
        heatmap.ManualRange = new ScottPlot.Range(lo, hi);
        // No label on the colour bar: ScottPlot draws it over the bar's tick labels when they are wide. The
        // title names the quantity and its unit instead.
        var bar = plot.Add.ColorBar(heatmap, Edge.Right);
        bar.Axis.TickGenerator = new NumericAutomatic { TargetTickCount = 8 };
        bar.Axis.TickLabelStyle.FontSize = TickSize;
        bar.Axis.TickLabelStyle.FontName = FontName;

        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var text = plot.Add.Text(figure.CellText[r, c], c, r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 16;
                text.LabelFontName = FontName;
                text.LabelBold = true;
                var v = figure.Values[r, c];
                var t = double.IsNaN(v) ? 1 : (v - lo) / (hi - lo);
                text.LabelFontColor = t < 0.6 ? Colors.White : Colors.Black; // viridis is dark at the low end
            }

        plot.Axes.Bottom.TickGenerator = new NumericManual(Enumerable.Range(0, cols).Select(i => (double)i).ToArray(), figure.XLevels.ToArray());
        plot.Axes.Left.TickGenerator = new NumericManual(Enumerable.Range(0, rows).Select(i => (double)i).ToArray(), figure.YLevels.ToArray());
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.Title(figure.Title);
        plot.XLabel(figure.XLabel);
        plot.YLabel(figure.YLabel);
        plot.HideGrid();
        ApplyFonts(plot);
        return new FigureDrawing([plot], null, 760, 560, figure.Title, figure.Colour);
    }

    /// <summary>
    /// A scatter plot of points without lines; its legend in the emptiest corner when that corner holds no point,
    /// beside the plot area otherwise.
    /// </summary>
    public static FigureDrawing Draw(ScatterFigure figure)
    {
        var plain = new FigureLayout(1);
        var drawn = figure.Series.Where(s => s.X.Length > 0).ToList();
        var points = drawn.SelectMany(s => s.X.Select((x, i) => new SeriesSpec(s.Label, [x], [s.Y[i]], s.Style, true))).ToList();
        var legendWidth = drawn.Count == 0 ? 0 : (int)Math.Ceiling(42 + 7.0 * drawn.Max(s => s.Label.Length) + 32);
        Alignment? corner = null;
        if (points.Count > 0)
        {
            var (best, covered) = EmptiestCorner(points, figure.XRange, figure.Y, plain.Width, plain.Height);
            if (covered == 0) corner = best;
        }
        var beside = drawn.Count > 0 && corner is null;
        var layout = new FigureLayout(1, beside ? [legendWidth] : null);

        var plot = NewPlot();
        foreach (var s in drawn)
        {
            if (Filled(s.Style.Marker) is { } filled)
            {
                var underlay = plot.Add.ScatterPoints(s.X, s.Y, Colors.White); // open markers stay open over the grid and other points
                underlay.MarkerShape = filled;
                underlay.MarkerSize = 10;
            }
            var marks = plot.Add.ScatterPoints(s.X, s.Y, s.Style.Color);
            marks.MarkerShape = s.Style.Marker;
            marks.MarkerSize = 10;
            marks.MarkerLineWidth = 1.8f;
        }
        if (figure.XTicks is { } ticks)
            plot.Axes.Bottom.TickGenerator = new NumericManual(ticks.Select(t => t.At).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Axes.SetLimits(figure.XRange.Min, figure.XRange.Max, figure.Y.Min, figure.Y.Max);
        plot.Title(figure.Title);
        plot.XLabel(figure.XLabel);
        plot.YLabel(figure.YLabel);
        var items = drawn.Select(s => new LegendItem
        {
            LabelText = s.Label, MarkerShape = s.Style.Marker, MarkerSize = 10, MarkerFillColor = s.Style.Color, MarkerLineColor = s.Style.Color, MarkerLineWidth = 1.8f,
        }).ToList();
        if (corner is { } c) Legend(plot, items, c);
        else if (beside)
        {
            plot.Legend.DisplayPlottableLegendItems = false;
            plot.Legend.ManualItems.AddRange(items);
            plot.ShowLegend(Edge.Right);
        }
        ApplyFonts(plot);
        return new FigureDrawing([plot], layout, layout.Width, layout.Height, figure.Title);
    }

    /// <summary>A dot chart: its panels one above the other.</summary>
    public static FigureDrawing Draw(DotFigure figure)
    {
        // Stacked, so that every panel has the full width for its category labels.
        var layout = FigureLayout.Stacked(figure.Panels.Count);
        var plots = figure.Panels.Select(DotPanelPlot).ToList();
        var width = Math.Clamp(120 * figure.Panels.Max(p => p.Categories.Count), 900, 2400); // room for two-line labels
        var height = figure.Panels.Count == 1 ? 560 : 480 * figure.Panels.Count;
        return new FigureDrawing(plots, layout, width, height, string.Join("; ", figure.Panels.Select(p => p.Title)));
    }

    private static Plot DotPanelPlot(DotPanel panel)
    {
        var plot = NewPlot();
        var groups = panel.Categories.Count;
        var n = Math.Max(1, panel.Series.Count);
        var spread = n == 1 ? 0 : 0.36;
        double Offset(int s) => n == 1 ? 0 : -spread / 2 + spread * s / (n - 1);
        var all = new List<double>();
        if (panel.Link)
            for (var g = 0; g < groups; g++)
            {
                var points = Enumerable.Range(0, panel.Series.Count)
                    .Where(s => panel.Series[s].Values[g] is { } v && double.IsFinite(v.Value))
                    .Select(s => (X: g + Offset(s), Y: panel.Series[s].Values[g]!.Value.Value)).ToList();
                if (points.Count < 2) continue;
                var link = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Color.FromHex("#adb5bd"));
                link.LineWidth = 2;
                link.MarkerSize = 0;
            }
        for (var s = 0; s < panel.Series.Count; s++)
        {
            var series = panel.Series[s];
            var xs = new List<double>();
            var ys = new List<double>();
            for (var g = 0; g < groups; g++)
            {
                if (series.Values[g] is not { } v || !double.IsFinite(v.Value)) continue;
                xs.Add(g + Offset(s));
                ys.Add(v.Value);
                all.Add(v.Value);
                if (v.Lo is { } lo && v.Hi is { } hi && hi > lo)
                {
                    var whisker = plot.Add.Line(g + Offset(s), lo, g + Offset(s), hi);
                    whisker.Color = series.Style.Color;
                    whisker.LineWidth = 1.6f;
                    whisker.MarkerSize = 0;
                    all.Add(lo);
                    all.Add(hi);
                }
            }
            if (xs.Count == 0) continue;
            if (Filled(series.Style.Marker) is { } filled)
            {
                var underlay = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), Colors.White); // an open marker hides the link line behind it
                underlay.MarkerShape = filled;
                underlay.MarkerSize = 12;
            }
            var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), series.Style.Color);
            points.MarkerShape = series.Style.Marker;
            points.MarkerSize = 12;
            points.MarkerLineWidth = 2;
        }
        plot.Axes.Bottom.TickGenerator = new NumericManual(Enumerable.Range(0, groups).Select(i => (double)i).ToArray(), panel.Categories.ToArray());
        var low = all.Count > 0 ? all.Min() : 0;
        var high = all.Count > 0 ? all.Max() : 1;
        var pad = Math.Max((high - low) * 0.12, Math.Abs(high) * 0.005 + 1e-9);
        plot.Axes.SetLimits(-0.6, groups - 0.4, low - pad, high + pad * 2.5);
        plot.Title(panel.Title);
        plot.XLabel(panel.XLabel);
        plot.YLabel(panel.YLabel);
        Legend(plot, panel.Series.Where(s => s.Values.Any(v => v is not null))
            .Select(s => new LegendItem { LabelText = s.Label, MarkerShape = s.Style.Marker, MarkerSize = 12, MarkerFillColor = s.Style.Color, MarkerLineColor = s.Style.Color, MarkerLineWidth = 2 }));
        ApplyFonts(plot);
        plot.Axes.Bottom.TickLabelStyle.FontSize = groups > 6 ? 12 : TickSize;
        return plot;
    }

    /// <summary>
    /// Where a panel's legend goes: inside, in the corner where it covers the least of the lines, when that corner is
    /// (nearly) empty; otherwise beside the plot area (<see cref="LegendSpot.Corner"/> null), <see cref="LegendSpot.Width"/> pixels wide.
    /// Null when the panel has no legend.
    /// </summary>
    private static LegendSpot? LegendSpotOf(PanelSpec panel, AxisRange? yRange, int width, int height)
    {
        var drawn = panel.Series.Where(s => s.X.Length > 0).ToList();
        if (!panel.ShowLegend || drawn.Count == 0) return null;
        var legendWidth = (int)Math.Ceiling(42 + 7.0 * drawn.Max(s => s.Label.Length) + 32);
        var (corner, covered) = EmptiestCorner(drawn, XLimits(panel, drawn), yRange ?? AxisRange.Padded(drawn)!.Value, width, height);
        return covered <= 0.01 ? new LegendSpot(corner, legendWidth) : new LegendSpot(null, legendWidth);
    }

    /// <summary>A legend inside the plot area at <see cref="Corner"/>, or beside it (null) taking <see cref="Width"/> pixels.</summary>
    private sealed record LegendSpot(Alignment? Corner, int Width);

    private static Plot LinePanel(PanelSpec panel, AxisRange? yRange, LegendSpot? legend)
    {
        var plot = NewPlot();
        foreach (var x in panel.XMarks ?? [])
        {
            var mark = plot.Add.VerticalLine(x);
            mark.Color = Color.FromHex("#868e96");
            mark.LineWidth = 1;
            mark.LinePattern = LinePattern.Dotted;
        }
        var drawn = panel.Series.Where(s => s.X.Length > 0).ToList();
        for (var i = 0; i < drawn.Count; i++)
        {
            var s = drawn[i];
            var color = s.Style.Color;
            if (s.Spread is { } spread)
            {
                var band = plot.Add.FillY(s.X, s.Y.Zip(spread, (y, d) => y - d).ToArray(), s.Y.Zip(spread, (y, d) => y + d).ToArray());
                band.FillColor = color.WithAlpha(0.25);
                band.LineWidth = 0;
                band.MarkerSize = 0;
            }
            var line = plot.Add.Scatter(s.X, s.Y, color);
            line.LinePattern = s.Style.Pattern;
            line.LineWidth = LineWidth;
            line.MarkerSize = 0;
            var marked = MarkerIndices(s.X.Length, s.AllMarkers, i, drawn.Count);
            var points = plot.Add.ScatterPoints(marked.Select(k => s.X[k]).ToArray(), marked.Select(k => s.Y[k]).ToArray(), color);
            points.MarkerShape = s.Style.Marker;
            points.MarkerSize = MarkerSize;
            points.MarkerLineWidth = 1.6f;
        }
        if (drawn.Count == 0)
        {
            var text = plot.Add.Text("no data recorded yet", 0.5, 0.5);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = LabelSize;
            text.LabelFontName = FontName;
            plot.Axes.SetLimits(0, 1, 0, 1);
        }
        else if (panel.EpochAxis)
        {
            var maxEpoch = Math.Max(1.0, drawn.Max(s => s.X.Max()));
            var epochs = Enumerable.Range(1, (int)Math.Round(maxEpoch)).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.TickGenerator = new NumericManual(epochs, epochs.Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(0.75, maxEpoch + 0.25);
        }
        else
        {
            var maxX = drawn.Max(s => s.X.Max());
            var right = maxX * 1.02 + 1e-9;
            plot.Axes.SetLimitsX(0, right);
            if (panel.Top is { } top)
            {
                // Its name goes into the bottom label: ScottPlot draws a top axis label over the title.
                plot.Axes.Top.TickGenerator = new NumericAutomatic();
                plot.Axes.SetLimitsX(0, right * top.Factor, plot.Axes.Top);
            }
        }
        if (yRange is { } r && drawn.Count > 0) plot.Axes.SetLimitsY(r.Min, r.Max);
        plot.Title(panel.Title);
        plot.XLabel(panel.Top is { } t && drawn.Count > 0 && !panel.EpochAxis ? $"{panel.XLabel} (top axis: {t.Label})" : panel.XLabel);
        plot.YLabel(panel.YLabel);
        if (legend is not null)
        {
            var items = drawn.Select(s => new LegendItem
            {
                LabelText = s.Label, LineColor = s.Style.Color, LinePattern = s.Style.Pattern, LineWidth = LineWidth,
                MarkerShape = s.Style.Marker, MarkerSize = MarkerSize, MarkerFillColor = s.Style.Color, MarkerLineColor = s.Style.Color, MarkerLineWidth = 1.6f,
            });
            if (legend.Corner is { } corner) Legend(plot, items, corner);
            else
            {
                plot.Legend.DisplayPlottableLegendItems = false;
                plot.Legend.ManualItems.AddRange(items);
                plot.ShowLegend(Edge.Right);
            }
            plot.Legend.SymbolWidth = 42;
        }
        ApplyFonts(plot);
        return plot;
    }

    /// <summary>The filled shape of an open marker; null for a filled one.</summary>
    private static MarkerShape? Filled(MarkerShape shape) => shape switch
    {
        MarkerShape.OpenCircle => MarkerShape.FilledCircle,
        MarkerShape.OpenSquare => MarkerShape.FilledSquare,
        MarkerShape.OpenTriangleUp => MarkerShape.FilledTriangleUp,
        MarkerShape.OpenTriangleDown => MarkerShape.FilledTriangleDown,
        MarkerShape.OpenDiamond => MarkerShape.FilledDiamond,
        _ => null,
    };

    /// <summary>
    /// Which points of a line carry a marker: all of them, or about <see cref="SparseMarkers"/> spread along it,
    /// staggered by the series' place among <paramref name="count"/> lines so markers of close lines do not cover each other.
    /// </summary>
    internal static IReadOnlyList<int> MarkerIndices(int points, bool all, int series, int count)
    {
        if (all || points <= SparseMarkers) return Enumerable.Range(0, points).ToList();
        var every = (double)points / SparseMarkers;
        var offset = every * (series + 0.5) / Math.Max(1, count);
        return Enumerable.Range(0, SparseMarkers).Select(k => (int)Math.Min(points - 1, Math.Floor(offset + k * every))).Distinct().ToList();
    }

    /// <summary>A legend of exactly <paramref name="items"/> (line and marker as drawn), in <paramref name="corner"/> (default upper right).</summary>
    private static void Legend(Plot plot, IEnumerable<LegendItem> items, Alignment corner = Alignment.UpperRight)
    {
        var list = items.ToList();
        if (list.Count == 0) { plot.HideLegend(); return; }
        plot.Legend.DisplayPlottableLegendItems = false;
        plot.Legend.ManualItems.AddRange(list);
        plot.ShowLegend(corner);
    }

    /// <summary>The x range a line panel shows (as <see cref="LinePanel"/> sets it).</summary>
    private static AxisRange XLimits(PanelSpec panel, IReadOnlyList<SeriesSpec> drawn)
    {
        var maxX = drawn.Max(s => s.X.Max());
        return panel.EpochAxis ? new AxisRange(0.75, Math.Max(1.0, maxX) + 0.25) : new AxisRange(0, maxX * 1.02 + 1e-9);
    }

    /// <summary>
    /// The corner of the plot area where the legend would cover the least of the lines (upper right on a tie), and the
    /// share of the lines' sampled points it would cover there. The
    /// legend's size is estimated from its labels (at the legend's font size) and the panel's pixel size; the lines
    /// are sampled along every segment.
    /// </summary>
    internal static (Alignment Corner, double Covered) EmptiestCorner(IReadOnlyList<SeriesSpec> series, AxisRange x, AxisRange y, int panelWidth, int panelHeight)
    {
        // The data area is the panel less its title, axis labels and tick labels (about 90 px across, 100 px down).
        double areaWidth = Math.Max(100, panelWidth - 90), areaHeight = Math.Max(100, panelHeight - 100);
        var longest = series.Max(s => s.Label.Length);
        var legendWidth = Math.Min(1, (42 + 7.8 * longest + 30) / areaWidth);
        var legendHeight = Math.Min(1, (21.0 * series.Count + 16) / areaHeight);
        var points = new List<(double X, double Y)>();
        foreach (var s in series)
            for (var i = 0; i < s.X.Length; i++)
            {
                var steps = i == 0 ? 1 : 12;
                for (var k = 1; k <= steps; k++)
                {
                    var t = (double)k / steps;
                    var (px, py) = i == 0 ? (s.X[0], s.Y[0]) : (s.X[i - 1] + t * (s.X[i] - s.X[i - 1]), s.Y[i - 1] + t * (s.Y[i] - s.Y[i - 1]));
                    points.Add(((px - x.Min) / (x.Max - x.Min), (py - y.Min) / (y.Max - y.Min)));
                }
            }
        (Alignment Corner, Func<(double X, double Y), bool> Inside)[] corners =
        [
            (Alignment.UpperRight, p => p.X > 1 - legendWidth && p.Y > 1 - legendHeight),
            (Alignment.UpperLeft, p => p.X < legendWidth && p.Y > 1 - legendHeight),
            (Alignment.LowerRight, p => p.X > 1 - legendWidth && p.Y < legendHeight),
            (Alignment.LowerLeft, p => p.X < legendWidth && p.Y < legendHeight),
        ];
        var best = corners.Select(c => (c.Corner, Count: points.Count(c.Inside))).OrderBy(c => c.Count).First(); // stable: upper right wins ties
        return (best.Corner, (double)best.Count / points.Count);
    }

    /// <summary>A small empty plot set up as every figure is, with <paramref name="title"/> and axis labels when given (for <see cref="FigureText"/>).</summary>
    internal static byte[] RenderTextProbe(string? title)
    {
        using var plot = NewPlot();
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.Bottom.TickGenerator = new NumericManual([], []);
        plot.Axes.Left.TickGenerator = new NumericManual([], []);
        if (title is not null)
        {
            plot.Title(title);
            plot.XLabel(title);
            plot.YLabel(title);
        }
        ApplyFonts(plot);
        return plot.GetImageBytes(320, 240, ImageFormat.Png);
    }

    private static Plot NewPlot()
    {
        FigureFont.EnsureReady();
        var plot = new Plot();
        plot.Font.Set(FontName);
        return plot;
    }

    private static void ApplyFonts(Plot plot)
    {
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Title.Label.FontName = FontName;
        foreach (var axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left, plot.Axes.Top })
        {
            axis.Label.FontSize = LabelSize;
            axis.Label.FontName = FontName;
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.FontName = FontName;
        }
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FontName;
    }
}
