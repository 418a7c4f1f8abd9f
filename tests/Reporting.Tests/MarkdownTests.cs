using Reporting.Markdown;

namespace Reporting.Tests;

/// <summary>Text from the database renders as itself: escaping, code spans and fences that survive backticks and pipes.</summary>
public sealed class MarkdownTests
{
    [Theory]
    [InlineData("peo", "`peo`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("`x`", "`` `x` ``")]
    [InlineData("two\nlines", "`two ⏎ lines`")]
    public void Code_spans_use_a_fence_longer_than_any_backtick_run_inside(string text, string expected) =>
        Assert.Equal(expected, Md.Code(text));

    [Fact]
    public void Single_characters_make_whitespace_visible() =>
        Assert.Equal(["`␠`", "`⏎`", "`⇥`", "`p`"], new[] { " ", "\n", "\t", "p" }.Select(Md.Char));

    [Fact]
    public void Plain_text_escapes_markdown_punctuation_and_stays_on_one_line() =>
        Assert.Equal(@"seq\_len \| \*bold\* \<b\> \#1 \`x\` a b", Md.Text("seq_len | *bold* <b> #1 `x` a\nb"));

    [Fact]
    public void A_code_block_fence_outgrows_backtick_runs_in_the_text()
    {
        Assert.Equal("```text\nJULIET:\nhi\n```\n", Md.CodeBlock("JULIET:\nhi\n"));
        Assert.Equal("````text\na ``` b\n````\n", Md.CodeBlock("a ``` b"));
    }

    [Fact]
    public void Table_cells_escape_pipes_even_inside_code_spans_but_not_twice()
    {
        var md = new MarkdownWriter().Table(["a", "b"], [[Md.Code("x|y"), Md.Text("p|q")]]).ToString();
        Assert.Equal("| a | b |\n|---|---|\n| `x\\|y` | p\\|q |\n", md);
    }
}
