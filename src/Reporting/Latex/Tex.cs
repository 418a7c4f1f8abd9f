using System.Globalization;
using System.Text;

namespace Reporting.Latex;

/// <summary>
/// Text from the database and the report's own symbols as LaTeX that compiles with a stock pdflatex
/// (default OT1 font encoding, no package beyond booktabs): every special character escaped, the
/// report's symbols (±, ×, −, —, …) as LaTeX commands, and the output pure ASCII.
/// </summary>
internal static class Tex
{
    /// <summary>
    /// Escapes <paramref name="s"/> for running text or a table cell. A character that is not ASCII and not one of
    /// the report's symbols is written as its code point, e.g. <c>{[}U+00E9{]}</c> (printed [U+00E9]), so the file compiles whatever the
    /// preamble it is put into.
    /// </summary>
    public static string Text(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            sb.Append(c switch
            {
                '\\' => @"\textbackslash{}",
                '{' => @"\{",
                '}' => @"\}",
                '$' => @"\$",
                '&' => @"\&",
                '#' => @"\#",
                '%' => @"\%",
                '_' => @"\_",
                '~' => @"\textasciitilde{}",
                '^' => @"\textasciicircum{}",
                '<' => @"\textless{}",
                '>' => @"\textgreater{}",
                '|' => @"\textbar{}",
                '[' => "{[}", // braced: after \\ (a table row's end) a bare [ or * would be read as its optional argument
                ']' => "{]}",
                '*' => "{*}",
                '\r' => "",
                '\n' or '\t' => " ",
                '±' => @"$\pm$",
                '×' => @"$\times$",
                '−' => @"$-$",
                '—' => "---",
                '–' => "--",
                '…' => @"\ldots{}",
                '→' => @"$\to$",
                '≈' => @"$\approx$",
                '²' => @"\textsuperscript{2}",
                '⁰' => @"\textsuperscript{0}",
                '·' => @"$\cdot$",
                'ρ' => @"$\rho$",
                'η' => @"$\eta$",
                '°' => @"\textdegree{}",
                _ when c is >= 0x20 and < 0x7F => ((char)c).ToString(),
                _ when c < 0x20 => " ",
                _ => $"{{[}}U+{c.ToString("X4", CultureInfo.InvariantCulture)}{{]}}",
            });
        }
        return sb.ToString();
    }

    /// <summary>A label key from any text: letters, digits and '-' only.</summary>
    public static string Label(string s)
    {
        var chars = s.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray();
        var label = new string(chars);
        while (label.Contains("--", StringComparison.Ordinal)) label = label.Replace("--", "-", StringComparison.Ordinal);
        return label.Trim('-') is { Length: > 0 } t ? t : "x";
    }
}
