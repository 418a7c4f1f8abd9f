using ScottPlot;
using SkiaSharp;

namespace Reporting.Figures;

/// <summary>
/// The font of every figure's text: DejaVu Sans (regular and bold), embedded in this assembly
/// (Figures/Fonts/, licence beside it) and served to ScottPlot under <see cref="Name"/>, ahead of the
/// system's fonts. Figures therefore never depend on the fonts a machine has installed: GPU servers
/// and containers often have none, and there ScottPlot silently drew no text at all.
/// </summary>
/// <remarks>
/// ScottPlot resolves font names through one process-wide list of resolvers; ours is added to it once,
/// on first use, and nothing else is changed there.
/// </remarks>
internal static class FigureFont
{
    /// <summary>
    /// The name figures ask ScottPlot for. No system font has it, so it always resolves to the embedded
    /// files, never to a DejaVu Sans of another version that a machine may have installed.
    /// </summary>
    public const string Name = "DejaVu Sans (embedded in Reporting)";

    /// <summary>The family name inside the embedded font files.</summary>
    public const string Family = "DejaVu Sans";
    private const string RegularFile = "DejaVuSans.ttf";
    private const string BoldFile = "DejaVuSans-Bold.ttf";

    private static readonly Lazy<Resolver> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads and registers the embedded font on first use and proves that it draws text; throws
    /// <see cref="ReportException"/> when text cannot be drawn, before any figure is rendered.
    /// </summary>
    public static void EnsureReady() => _ = Registered.Value;

    /// <summary>The embedded regular face (registered first if needed).</summary>
    public static SKTypeface Regular => Registered.Value.Regular;

    /// <summary>The embedded bold face (registered first if needed).</summary>
    public static SKTypeface Bold => Registered.Value.Bold;

    private static Resolver Register()
    {
        var regular = Load(RegularFile);
        var bold = Load(BoldFile);
        var resolver = new Resolver(regular, bold);
        lock (Fonts.FontResolvers) Fonts.FontResolvers.Insert(0, resolver);

        // ScottPlot must now hand out exactly these typefaces for the name the figures use.
        foreach (var (isBold, expected) in new[] { (false, regular), (true, bold) })
            if (!ReferenceEquals(Fonts.GetTypeface(Name, isBold, italic: false), expected))
                throw new ReportException($"figure text cannot be drawn: ScottPlot does not resolve the font '{Name}' (bold: {isBold}) to the embedded {Family}; "
                    + "another font resolver registered in this process takes precedence");
        return resolver;
    }

    private static SKTypeface Load(string file)
    {
        var assembly = typeof(FigureFont).Assembly;
        var resource = $"Reporting.Figures.Fonts.{file}";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new ReportException($"figure text cannot be drawn: the font {file} is not embedded in {assembly.Location} (resource '{resource}'); "
                + "rebuild Reporting (src/Reporting/Figures/Fonts/ must hold it)");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return FromBytes(file, bytes.ToArray());
    }

    /// <summary>
    /// A typeface of the <c>DejaVu Sans</c> family from a font file's bytes, proven to draw text;
    /// <see cref="ReportException"/> naming <paramref name="file"/> otherwise.
    /// </summary>
    internal static SKTypeface FromBytes(string file, byte[] bytes)
    {
        var typeface = SKTypeface.FromData(SKData.CreateCopy(bytes))
            ?? throw new ReportException($"figure text cannot be drawn: {file} ({bytes.Length:N0} bytes) is not a font file SkiaSharp can read");
        if (typeface.FamilyName != Family)
            throw new ReportException($"figure text cannot be drawn: {file} holds the font family '{typeface.FamilyName}', not '{Family}'");
        var ink = InkOf(typeface);
        if (ink == 0)
            throw new ReportException($"figure text cannot be drawn: {file} ({typeface.FamilyName}, {typeface.GlyphCount} glyphs) draws no pixels");
        return typeface;
    }

    /// <summary>How many pixels a line of figure-like text covers when drawn with <paramref name="typeface"/>.</summary>
    internal static int InkOf(SKTypeface typeface)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(320, 40, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(typeface, 20);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText("Loss 3.14 ± 0.05 (epoch 2)", 4, 28, font, paint);
        canvas.Flush();
        var ink = 0;
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y).Red < 128) ink++;
        return ink;
    }

    /// <summary>Serves the embedded typefaces for <see cref="Name"/>: bold weights get the bold face, all else the regular one.</summary>
    private sealed class Resolver(SKTypeface regular, SKTypeface bold) : IFontResolver
    {
        public SKTypeface Regular => regular;
        public SKTypeface Bold => bold;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            fontName == Name ? ((int)weight >= (int)FontWeight.SemiBold ? bold : regular) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            CreateTypeface(fontName, bold ? FontWeight.Bold : FontWeight.Normal, italic ? FontSlant.Italic : FontSlant.Upright, FontSpacing.Normal);
    }
}
