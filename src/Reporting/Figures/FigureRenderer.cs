using ScottPlot;
using ScottPlot.TickGenerators;

namespace Reporting.Figures;

/// <summary>
/// Turns figure specs into PNG bytes with ScottPlot. Everything that influences pixels is set here
/// explicitly (font, sizes, limits), so the same spec gives the same bytes on every run and on every
/// machine: all text uses the embedded <see cref="FigureFont"/>, never a system font.
/// </summary>
internal static class FigureRenderer
{
    public const string FontName = FigureFont.Name;
    private const float TitleSize = 17, LabelSize = 15, TickSize = 13, LegendSize = 13;

    /// <summary>
    /// Pixel size of a figure: one panel 900×560; two columns 1100 wide (shown at about 80 % on GitHub,
    /// which is why no figure has more than two columns: fonts would get too small).
    /// </summary>
    public static (int Width, int Height) SizeOf(int columns, int rows) => columns switch
    {
        <= 1 => (900, rows == 1 ? 560 : 440 * rows),
        _ => (1100, 470 * rows),
    };

    public static byte[] Render(LineFigure figure)
    {
        var columns = Math.Clamp(figure.Columns, 1, Math.Min(2, Math.Max(1, figure.Panels.Count)));
        var rows = Math.Max(1, (figure.Panels.Count + columns - 1) / columns);
        var (width, height) = SizeOf(columns, rows);
        var yRange = figure.ShareY ? SharedRange(figure.Panels) : null;
        var plots = figure.Panels.Select(p => LinePanel(p, yRange)).ToList();
        try { return Png(plots, rows, columns, width, height); }
        finally { foreach (var p in plots) p.Dispose(); }
    }

    public static byte[] Render(HeatmapFigure figure)
    {
        using var plot = NewPlot();
        int rows = figure.YLevels.Count, cols = figure.XLevels.Count;
        var heatmap = plot.Add.Heatmap(figure.Values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Color.FromHex("#dee2e6");
        heatmap.FlipVertically = true; // row 0 (the smallest level) at the bottom
        heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles(); // crisp cells, no bitmap smoothing
        heatmap.Position = new CoordinateRect(0, Math.Max(1, cols - 1), 0, Math.Max(1, rows - 1)); // cell centers at 0..n-1
        var finite = Finite(figure.Values);
        var (lo, hi) = finite.Count > 0 ? (finite.Min(), finite.Max()) : (0.0, 1.0);
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        heatmap.ManualRange = new ScottPlot.Range(lo, hi);
        var bar = plot.Add.ColorBar(heatmap, Edge.Right);
        bar.Label = figure.ColorbarLabel;
        bar.LabelStyle.FontSize = LabelSize;
        bar.LabelStyle.FontName = FontName;

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
        return plot.GetImageBytes(760, 560, ImageFormat.Png);
    }

    public static byte[] Render(PairedFigure figure)
    {
        using var plot = NewPlot();
        var groups = figure.Categories.Count;
        var n = Math.Max(1, figure.Series.Count);
        var spread = n == 1 ? 0 : 0.36;
        double Offset(int s) => n == 1 ? 0 : -spread / 2 + spread * s / (n - 1);
        var all = new List<double>();
        for (var g = 0; g < groups; g++)
        {
            var points = Enumerable.Range(0, figure.Series.Count)
                .Where(s => figure.Series[s].Values[g] is { } v && double.IsFinite(v))
                .Select(s => (X: g + Offset(s), Y: figure.Series[s].Values[g]!.Value)).ToList();
            if (points.Count < 2) continue;
            var link = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Color.FromHex("#adb5bd"));
            link.LineWidth = 2;
            link.MarkerSize = 0;
        }
        for (var s = 0; s < figure.Series.Count; s++)
        {
            var series = figure.Series[s];
            var xs = new List<double>();
            var ys = new List<double>();
            for (var g = 0; g < groups; g++)
                if (series.Values[g] is { } v && double.IsFinite(v)) { xs.Add(g + Offset(s)); ys.Add(v); all.Add(v); }
            if (xs.Count == 0) continue;
            var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), series.Color);
            points.MarkerShape = series.Marker;
            points.MarkerSize = 12;
            points.LegendText = series.Label;
        }
        plot.Axes.Bottom.TickGenerator = new NumericManual(Enumerable.Range(0, groups).Select(i => (double)i).ToArray(), figure.Categories.ToArray());
        var lo = all.Count > 0 ? all.Min() : 0;
        var hi = all.Count > 0 ? all.Max() : 1;
        var pad = Math.Max((hi - lo) * 0.12, 0.005);
        plot.Axes.SetLimits(-0.6, groups - 0.4, lo - pad, hi + pad * 2.5);
        plot.Title(figure.Title);
        plot.XLabel(figure.XLabel);
        plot.YLabel(figure.YLabel);
        plot.ShowLegend(Alignment.UpperRight);
        ApplyFonts(plot);
        plot.Axes.Bottom.TickLabelStyle.FontSize = groups > 6 ? 12 : TickSize;
        return plot.GetImageBytes(900, 560, ImageFormat.Png);
    }

    private static Plot LinePanel(PanelSpec panel, (double Lo, double Hi)? yRange)
    {
        var plot = NewPlot();
        var maxEpoch = 1.0;
        foreach (var x in panel.XMarks ?? [])
        {
            var mark = plot.Add.VerticalLine(x);
            mark.Color = Color.FromHex("#868e96");
            mark.LineWidth = 1;
            mark.LinePattern = LinePattern.Dotted;
        }
        foreach (var s in panel.Series)
        {
            if (s.X.Length == 0) continue;
            if (s.Spread is { } spread)
            {
                var band = plot.Add.FillY(s.X, s.Y.Zip(spread, (y, d) => y - d).ToArray(), s.Y.Zip(spread, (y, d) => y + d).ToArray());
                band.FillColor = s.Color.WithAlpha(0.3);
                band.LineWidth = 0;
                band.MarkerSize = 0;
            }
            var scatter = plot.Add.Scatter(s.X, s.Y, s.Color);
            scatter.LinePattern = s.Pattern;
            scatter.LineWidth = 2.2f;
            var markers = s.ShowMarkers || s.X.Length == 1;
            scatter.MarkerShape = markers ? s.Marker : MarkerShape.None;
            scatter.MarkerSize = markers ? 8 : 0;
            scatter.LegendText = s.Label;
            maxEpoch = Math.Max(maxEpoch, s.X.Max());
        }
        if (panel.Series.All(s => s.X.Length == 0))
        {
            var text = plot.Add.Text("no data recorded yet", 0.5, 0.5);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = LabelSize;
            text.LabelFontName = FontName;
            plot.Axes.SetLimits(0, 1, 0, 1);
        }
        else if (panel.EpochAxis)
        {
            var epochs = Enumerable.Range(1, (int)Math.Round(maxEpoch)).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.TickGenerator = new NumericManual(epochs, epochs.Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(0.75, maxEpoch + 0.25);
        }
        if (yRange is { } r) plot.Axes.SetLimitsY(r.Lo, r.Hi);
        plot.Title(panel.Title);
        plot.XLabel(panel.XLabel);
        plot.YLabel(panel.YLabel);
        if (panel.ShowLegend && panel.Series.Any(s => s.X.Length > 0))
        {
            plot.ShowLegend(Alignment.UpperRight);
            plot.Legend.SymbolWidth = 38;
        }
        else plot.HideLegend();
        ApplyFonts(plot);
        return plot;
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
        foreach (var axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.FontSize = LabelSize;
            axis.Label.FontName = FontName;
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.FontName = FontName;
        }
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FontName;
    }

    private static (double, double)? SharedRange(IReadOnlyList<PanelSpec> panels)
    {
        var ys = panels.SelectMany(p => p.Series)
            .SelectMany(s => s.Spread is { } d ? s.Y.Zip(d, (y, e) => y - e).Concat(s.Y.Zip(d, (y, e) => y + e)) : s.Y)
            .Where(double.IsFinite).ToList();
        if (ys.Count == 0) return null;
        double lo = ys.Min(), hi = ys.Max();
        var pad = Math.Max((hi - lo) * 0.06, Math.Abs(hi) * 0.01 + 1e-9);
        return (lo - pad, hi + pad);
    }

    private static List<double> Finite(double[,] values)
    {
        var list = new List<double>();
        foreach (var v in values) if (double.IsFinite(v)) list.Add(v);
        return list;
    }

    private static byte[] Png(IReadOnlyList<Plot> plots, int rows, int columns, int width, int height)
    {
        if (plots.Count == 1) return plots[0].GetImageBytes(width, height, ImageFormat.Png);
        var multiplot = new Multiplot(plots[0]);
        foreach (var p in plots.Skip(1)) multiplot.AddPlot(p);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        using var image = multiplot.Render(width, height);
        return image.GetImageBytes(ImageFormat.Png, 100);
    }
}
