using Reporting.Latex;
using Reporting.Tests.Support;
using TestSupport;

namespace Reporting.Tests;

/// <summary>Text from the database goes into tables.tex escaped: every LaTeX special character, the report's symbols, anything else.</summary>
public sealed class TexTests : IDisposable
{
    private const string Nasty = "a_b & 50% #1 $x$ {y} ~z^2 \\path <i>|o| [note] *star* ± × − — … 中";
    private readonly TempDir _dir = new("report-tex");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Special_characters_are_escaped_and_other_characters_written_as_code_points()
    {
        Assert.Equal(
            @"a\_b \& 50\% \#1 \$x\$ \{y\} \textasciitilde{}z\textasciicircum{}2 \textbackslash{}path \textless{}i\textgreater{}\textbar{}o\textbar{} "
            + @"{[}note{]} {*}star{*} $\pm$ $\times$ $-$ --- \ldots{} {[}U+4E2D{]}",
            Tex.Text(Nasty));
    }

    [Trait("Needs", "TeX Live")]
    [Fact]
    public void Escaped_text_compiles_anywhere_in_a_booktabs_table_even_at_the_start_of_a_row()
    {
        var pdflatex = ExternalTool.Require("pdflatex", "texlive-latex-base texlive-latex-recommended");
        var cell = Tex.Text(Nasty);
        var sb = new System.Text.StringBuilder();
        new TexTable(cell, "tab:nasty", "ll", [cell, "b"])
            .Row([cell, cell])
            .Row([Tex.Text("[starts with a bracket]"), Tex.Text("*")]) // after the previous row's \ a bare [ or * would be its argument
            .WriteTo(sb);
        _dir.Write("doc.tex", "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + sb + "\\end{document}\n");
        var run = ExternalTool.Run(pdflatex, _dir.Path, "-interaction=nonstopmode", "-halt-on-error", "doc.tex");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("\n! ", File.ReadAllText(_dir.File("doc.log")));
    }
}
