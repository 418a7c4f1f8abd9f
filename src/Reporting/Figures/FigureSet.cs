namespace Reporting.Figures;

/// <summary>The figures of one report in the order the sections made them; written to figures/ by the writer.</summary>
internal sealed class FigureSet
{
    public const string Folder = "figures";
    private readonly List<(string RelativePath, byte[] Png)> _figures = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyList<(string RelativePath, byte[] Png)> All => _figures;

    /// <summary>Adds a figure under a file name made from <paramref name="stem"/> and returns its path relative to report.md.</summary>
    public string Add(string stem, byte[] png)
    {
        var name = Slug(stem);
        for (var i = 2; !_names.Add(name); i++) name = $"{Slug(stem)}-{i}";
        var relative = $"{Folder}/{name}.png";
        _figures.Add((relative, png));
        return relative;
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
