using System.Text;

namespace Reporting.Markdown;

/// <summary>Escaping of text that comes from the database, so it renders as itself in GitHub Markdown.</summary>
internal static class Md
{
    /// <summary>Plain text in a paragraph or table cell: one line, Markdown punctuation escaped.</summary>
    public static string Text(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '\r': break;
                case '\n': case '\t': sb.Append(' '); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '~' or '$':
                    sb.Append('\\').Append(ch); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Text shortened to <paramref name="max"/> characters (with an ellipsis), then escaped.</summary>
    public static string Short(string s, int max = 160)
    {
        var one = string.Join(' ', s.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()));
        return Text(one.Length <= max ? one : one[..(max - 1)] + "…");
    }

    /// <summary>Inline code that survives backticks inside (a table escapes its pipes, see <see cref="MarkdownWriter.Table"/>).</summary>
    public static string Code(string s)
    {
        var visible = s.Replace("\r", "").Replace("\n", " ⏎ ").Replace("\t", " ");
        var longest = LongestRun(visible, '`');
        var fence = new string('`', longest + 1);
        var pad = visible.StartsWith('`') || visible.EndsWith('`') || visible.StartsWith(' ') || visible.EndsWith(' ') ? " " : "";
        return fence + pad + visible + pad + fence;
    }

    /// <summary>A single character (or short string) as code, with whitespace made visible.</summary>
    public static string Char(string s) => Code(Visible(s));

    /// <summary>Whitespace that would vanish in Markdown shown as symbols: newline ⏎, tab ⇥, space ␠.</summary>
    public static string Visible(string s) => s.Replace("\r", "").Replace("\n", "⏎").Replace("\t", "⇥").Replace(" ", "␠");

    /// <summary>A fenced code block whose fence is longer than any backtick run in <paramref name="text"/>.</summary>
    public static string CodeBlock(string text)
    {
        var fence = new string('`', Math.Max(3, LongestRun(text, '`') + 1));
        var body = text.Replace("\r\n", "\n").TrimEnd('\n');
        return $"{fence}text\n{body}\n{fence}\n";
    }

    /// <summary>A GitHub heading anchor for a heading text (lower case, punctuation dropped, spaces to dashes).</summary>
    public static string Anchor(string heading)
    {
        var sb = new StringBuilder();
        foreach (var ch in heading.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(ch) || ch is '-' or '_') sb.Append(ch);
            else if (ch == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    private static int LongestRun(string s, char c)
    {
        int best = 0, run = 0;
        foreach (var ch in s)
        {
            run = ch == c ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }
}
