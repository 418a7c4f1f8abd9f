using System.Text;

namespace Reporting.Markdown;

/// <summary>Builds report.md with "\n" line endings (the same bytes on every platform).</summary>
internal sealed partial class MarkdownWriter
{
    private readonly StringBuilder _sb = new();

    public MarkdownWriter Heading(int level, string text)
    {
        EnsureBlankLine();
        _sb.Append('#', level).Append(' ').Append(text).Append('\n').Append('\n');
        return this;
    }

    /// <summary>A paragraph (already escaped Markdown).</summary>
    public MarkdownWriter Paragraph(string markdown)
    {
        EnsureBlankLine();
        _sb.Append(markdown.TrimEnd()).Append('\n').Append('\n');
        return this;
    }

    public MarkdownWriter Bullets(IEnumerable<string> items)
    {
        EnsureBlankLine();
        var any = false;
        foreach (var item in items) { _sb.Append("- ").Append(item).Append('\n'); any = true; }
        if (any) _sb.Append('\n');
        return this;
    }

    /// <summary>A table; cells are Markdown already escaped (see <see cref="Md"/>). Alignment per column: 'l' or 'r'.</summary>
    public MarkdownWriter Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? align = null)
    {
        EnsureBlankLine();
        _sb.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|");
        for (var i = 0; i < header.Count; i++)
            _sb.Append(align is not null && i < align.Length && align[i] == 'r' ? "---:|" : "---|");
        _sb.Append('\n');
        foreach (var row in rows)
        {
            if (row.Count != header.Count) throw new InvalidOperationException($"table row has {row.Count} cells, header {header.Count}");
            _sb.Append("| ").Append(string.Join(" | ", row.Select(EscapePipes))).Append(" |\n");
        }
        _sb.Append('\n');
        return this;
    }

    /// <summary>A pipe inside a cell (even inside a code span) must be written \| or it splits the cell (GitHub tables).</summary>
    private static string EscapePipes(string cell) => UnescapedPipe().Replace(cell, "\\|");

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<!\\)\|")]
    private static partial System.Text.RegularExpressions.Regex UnescapedPipe();

    public MarkdownWriter Image(string alt, string relativePath)
    {
        EnsureBlankLine();
        _sb.Append("![").Append(Md.Text(alt)).Append("](").Append(relativePath.Replace(" ", "%20")).Append(")\n\n");
        return this;
    }

    public MarkdownWriter Raw(string markdown)
    {
        EnsureBlankLine();
        _sb.Append(markdown);
        if (!markdown.EndsWith('\n')) _sb.Append('\n');
        _sb.Append('\n');
        return this;
    }

    private void EnsureBlankLine()
    {
        if (_sb.Length == 0) return;
        if (_sb[^1] != '\n') _sb.Append('\n');
        if (_sb.Length >= 2 && _sb[^2] != '\n') _sb.Append('\n');
    }

    public override string ToString() => _sb.ToString().TrimEnd('\n') + "\n";
}
