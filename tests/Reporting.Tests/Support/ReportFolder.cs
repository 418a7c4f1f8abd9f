using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;

namespace Reporting.Tests.Support;

/// <summary>Reads a written report back the way a user would: report.md, its linked figures, its CSVs.</summary>
public static partial class ReportFolder
{
    [GeneratedRegex(@"!\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex ImageLink();

    public static IReadOnlyList<string> ImageLinks(string markdown) =>
        ImageLink().Matches(markdown).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The text of one "## N. …" section of report.md (up to the next "## ").</summary>
    public static string Section(string markdown, int number)
    {
        var start = markdown.IndexOf($"\n## {number}. ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"report.md has no section {number}");
        var end = markdown.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>sha256 of every file under <paramref name="dir"/>, by relative path.</summary>
    public static SortedDictionary<string, string> Hashes(string dir) =>
        new(Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    public static List<T> ReadCsv<T>(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { HeaderValidated = null, MissingFieldFound = null });
        return csv.GetRecords<T>().ToList();
    }

    /// <summary>The header row of a CSV file.</summary>
    public static string[] Header(string path) => File.ReadLines(path).First().Split(',');
}
