namespace Reporting.Figures;

/// <summary>
/// The figures of one report in the order the sections made them, each in every requested format; written to
/// figures/ by the writer. report.md links the first format of <see cref="FigureOptions.Formats"/> (PNG by default).
/// </summary>
internal sealed class FigureSet(FigureOptions options)
{
    public const string Folder = "figures";
    private readonly List<(string RelativePath, byte[] Bytes)> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Every file of every figure, relative to the report's folder.</summary>
    public IReadOnlyList<(string RelativePath, byte[] Bytes)> All => _files;

    /// <summary>The file extensions figures are written with.</summary>
    public IReadOnlyList<string> Extensions => options.Formats.Select(f => f.Extension()).ToList();

    /// <summary>
    /// Renders <paramref name="drawing"/> (and disposes it) under a file name made from <paramref name="stem"/>;
    /// returns the path, relative to report.md, of the file to link.
    /// </summary>
    public string Add(string stem, FigureDrawing drawing)
    {
        using (drawing)
        {
            var name = Slug(stem);
            for (var i = 2; !_names.Add(name); i++) name = $"{Slug(stem)}-{i}";
            var rendered = FigureExport.Export(drawing, options);
            foreach (var (format, bytes) in rendered.Files) _files.Add(($"{Folder}/{name}.{format.Extension()}", bytes));
            return $"{Folder}/{name}.{options.Formats[0].Extension()}";
        }
    }

    /// <summary>Lower-case letters, digits, '.', '_' and '-' only.</summary>
    public static string Slug(string s)
    {
        var chars = s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '-').ToArray();
        var slug = new string(chars);
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Trim('-') is { Length: > 0 } t ? t : "figure";
    }
}
