namespace Reporting.Figures;

/// <summary>A file format the report writes its figures in.</summary>
public enum FigureFormat
{
    /// <summary>Raster, linked from report.md (renders on GitHub).</summary>
    Png,
    /// <summary>Vector; text drawn as outlines of the embedded font, so it renders the same everywhere.</summary>
    Svg,
    /// <summary>Vector, for pdflatex's \includegraphics; embeds the whole DejaVu Sans font (about 400 KB a figure).</summary>
    Pdf,
}

/// <summary>The <c>--format</c> list: which figure files a report writes.</summary>
public static class FigureFormats
{
    /// <summary>PNG (for report.md) and SVG (for papers and slides).</summary>
    public static readonly IReadOnlyList<FigureFormat> Default = [FigureFormat.Png, FigureFormat.Svg];

    /// <summary>
    /// "png,svg" → [Png, Svg] (order as given, duplicates dropped); <see cref="ReportException"/> naming the
    /// value and the choices for anything else.
    /// </summary>
    public static IReadOnlyList<FigureFormat> Parse(string text)
    {
        var list = new List<FigureFormat>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            FigureFormat? format = part.ToLowerInvariant() switch { "png" => FigureFormat.Png, "svg" => FigureFormat.Svg, "pdf" => FigureFormat.Pdf, _ => null };
            if (format is null)
                throw new ReportException($"--format {text}: '{part}' is not a figure format; give one or more of png, svg, pdf separated by commas (e.g. png,svg)");
            if (!list.Contains(format.Value)) list.Add(format.Value);
        }
        return list;
    }

    /// <summary>"png", "svg", "pdf".</summary>
    public static string Extension(this FigureFormat format) => format.ToString().ToLowerInvariant();
}
