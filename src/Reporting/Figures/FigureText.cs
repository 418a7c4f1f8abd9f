using SkiaSharp;

namespace Reporting.Figures;

/// <summary>
/// Whether this machine draws the figures' text: a small plot set up as every figure is, rendered
/// with a title and axis labels and without, must differ by a visible amount of text. For
/// <c>orchestrator doctor</c>; <see cref="ReportWriter"/> checks the font itself before each report.
/// </summary>
public static class FigureText
{
    /// <summary>The font used and how many pixels the probe's text covered; <see cref="ReportException"/> when no text is drawn.</summary>
    public static (string Font, int TextPixels) Check()
    {
        var with = FigureRenderer.RenderTextProbe("Loss 3.14 (epoch 2)");
        var without = FigureRenderer.RenderTextProbe(null);
        using var a = SKBitmap.Decode(with);
        using var b = SKBitmap.Decode(without);
        var differing = 0;
        for (var y = 0; y < a.Height; y++)
            for (var x = 0; x < a.Width; x++)
                if (a.GetPixel(x, y) != b.GetPixel(x, y)) differing++;
        if (differing < 200)
            throw new ReportException($"figure text cannot be drawn: a title and axis labels in {FigureFont.Name} changed only {differing} pixels of a 320×240 figure");
        return (FigureFont.Name, differing);
    }
}
