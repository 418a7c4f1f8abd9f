using Reporting.Figures;
using SkiaSharp;

namespace Reporting.Tests;

/// <summary>
/// The figures' embedded font: ScottPlot resolves the figures' font name to it (regular and bold), it
/// draws, and a font that cannot draw text stops the report with a message instead of blank figures.
/// The same figures without any system font: Orchestrator.Tests' FontlessReportTests.
/// </summary>
public sealed class FigureFontTests
{
    [Fact]
    public void ScottPlot_resolves_the_figures_font_name_to_the_embedded_DejaVu_Sans_in_regular_and_bold()
    {
        FigureFont.EnsureReady();

        var regular = ScottPlot.Fonts.GetTypeface(FigureRenderer.FontName, bold: false, italic: false);
        var bold = ScottPlot.Fonts.GetTypeface(FigureRenderer.FontName, bold: true, italic: false);

        Assert.Equal(("DejaVu Sans", (int)SKFontStyleWeight.Normal), (regular.FamilyName, regular.FontWeight));
        Assert.Equal(("DejaVu Sans", (int)SKFontStyleWeight.Bold), (bold.FamilyName, bold.FontWeight));
        Assert.True(FigureFont.InkOf(regular) > 500, "the regular face draws no text");
        Assert.True(FigureFont.InkOf(bold) > FigureFont.InkOf(regular), "the bold face is not heavier than the regular one");
    }

    [Fact]
    public void Bytes_that_are_not_a_font_stop_the_report_with_a_message_naming_the_file()
    {
        var e = Assert.Throws<ReportException>(() => FigureFont.FromBytes("DejaVuSans.ttf", "not a font at all"u8.ToArray()));

        Assert.Equal("figure text cannot be drawn: DejaVuSans.ttf (17 bytes) is not a font file SkiaSharp can read", e.Message);
    }
}
