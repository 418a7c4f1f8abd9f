using System.Globalization;
using System.Text;
using System.Xml.Linq;
using ScottPlot;
using SkiaSharp;

namespace Reporting.Figures;

/// <summary>The ScottPlot plots of one figure, placed by a layout; <see cref="FigureExport"/> turns it into files.</summary>
internal sealed class FigureDrawing(IReadOnlyList<Plot> plots, IMultiplotLayout? layout, int width, int height, string title, AxisRange? colour = null) : IDisposable
{
    public IReadOnlyList<Plot> Plots { get; } = plots;
    public IMultiplotLayout? Layout { get; } = layout;
    public int Width { get; } = width;
    public int Height { get; } = height;
    public string Title { get; } = title;
    /// <summary>The value range of the figure's colour scale (heatmaps).</summary>
    public AxisRange? Colour { get; } = colour;

    public void Dispose()
    {
        foreach (var p in Plots) p.Dispose();
    }
}

/// <summary>How figures are written: which formats, and the time a PDF records as its creation (the data's, never the clock's).</summary>
internal sealed record FigureOptions(IReadOnlyList<FigureFormat> Formats, DateTime Timestamp);

/// <summary>One figure's files, in the order of <see cref="FigureOptions.Formats"/>.</summary>
internal sealed record RenderedFigure(IReadOnlyList<(FigureFormat Format, byte[] Bytes)> Files);

/// <summary>
/// Writes a <see cref="FigureDrawing"/> as PNG, SVG and/or PDF from the same plots. The SVG has its text
/// as outlines of the embedded font (<see cref="SvgGlyphs"/>), a &lt;title&gt;, and a &lt;metadata&gt; block with
/// each panel's axis limits and y tick labels as drawn (and the colour scale of a heatmap), so a reader or
/// a test can check which figures share a scale.
/// </summary>
internal static class FigureExport
{
    /// <summary>Namespace of the SVG's &lt;metadata&gt; content.</summary>
    public static readonly XNamespace MetadataNs = "urn:x-orchestrator:report-figure";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static RenderedFigure Export(FigureDrawing drawing, FigureOptions options) =>
        new(options.Formats.Select(f => (f, f switch
        {
            FigureFormat.Png => Png(drawing),
            FigureFormat.Svg => Svg(drawing),
            FigureFormat.Pdf => Pdf(drawing, options.Timestamp),
            _ => throw new ArgumentOutOfRangeException(nameof(options), f, "unknown figure format"),
        })).ToList());

    private static void Draw(FigureDrawing d, SKCanvas canvas)
    {
        var rect = new PixelRect(0, d.Width, d.Height, 0);
        if (d.Plots.Count == 1)
        {
            d.Plots[0].Render(canvas, rect);
            return;
        }
        var multiplot = new Multiplot(d.Plots[0]);
        foreach (var p in d.Plots.Skip(1)) multiplot.AddPlot(p);
        if (d.Layout is not null) multiplot.Layout = d.Layout;
        multiplot.Render(canvas, rect);
    }

    private static byte[] Png(FigureDrawing d)
    {
        using var surface = SKSurface.Create(new SKImageInfo(d.Width, d.Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new ReportException($"cannot create a {d.Width}×{d.Height} drawing surface for figure '{d.Title}'");
        Draw(d, surface.Canvas);
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] Svg(FigureDrawing d)
    {
        string raw;
        using (var stream = new MemoryStream())
        {
            using (var canvas = SKSvgCanvas.Create(SKRect.Create(d.Width, d.Height), stream)) Draw(d, canvas);
            raw = Encoding.UTF8.GetString(stream.ToArray());
        }
        var doc = SvgGlyphs.ToPaths(raw, FigureFont.Regular, FigureFont.Bold, FigureFont.Family);
        var root = doc.Root!;
        root.AddFirst(new XElement(SvgGlyphs.Svg + "title", d.Title), Metadata(d));
        root.SetAttributeValue("viewBox", $"0 0 {d.Width} {d.Height}");
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + root.ToString(SaveOptions.DisableFormatting) + "\n";
        return new UTF8Encoding(false).GetBytes(xml);
    }

    /// <summary>The axis limits and y tick labels of every panel as ScottPlot drew them (read after drawing), and the colour scale.</summary>
    private static XElement Metadata(FigureDrawing d)
    {
        var figure = new XElement(MetadataNs + "figure", new XAttribute(XNamespace.Xmlns + "r", MetadataNs.NamespaceName), new XAttribute("title", d.Title));
        foreach (var p in d.Plots)
        {
            var limits = p.Axes.GetLimits();
            var ticks = p.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label);
            figure.Add(new XElement(MetadataNs + "panel",
                new XAttribute("title", p.Axes.Title.Label.Text),
                new XAttribute("x-min", R(limits.Left)), new XAttribute("x-max", R(limits.Right)),
                new XAttribute("y-min", R(limits.Bottom)), new XAttribute("y-max", R(limits.Top)),
                new XAttribute("y-ticks", string.Join("|", ticks))));
        }
        if (d.Colour is { } c)
            figure.Add(new XElement(MetadataNs + "colour-scale", new XAttribute("min", R(c.Min)), new XAttribute("max", R(c.Max))));
        return new XElement(SvgGlyphs.Svg + "metadata", figure);
    }

    private static byte[] Pdf(FigureDrawing d, DateTime timestamp)
    {
        var metadata = SKDocumentPdfMetadata.Default;
        metadata.Title = d.Title;
        metadata.Creator = "orchestrator report";
        metadata.Creation = timestamp;
        metadata.Modified = timestamp;
        using var stream = new MemoryStream();
        using (var document = SKDocument.CreatePdf(stream, metadata))
        {
            var canvas = document.BeginPage(d.Width, d.Height);
            Draw(d, canvas);
            document.EndPage();
            document.Close();
        }
        return stream.ToArray();
    }

    private static string R(double v) => v.ToString("R", Inv);
}
