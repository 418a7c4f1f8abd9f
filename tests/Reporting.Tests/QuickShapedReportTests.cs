using System.Globalization;
using Dapper;
using Reporting.Tests.Support;

namespace Reporting.Tests;

/// <summary>
/// The report of a quick-shaped sweep read as a paper's reader would: figures meant to be compared carry the
/// same scale and their captions say so, panels fill their figure, every figure is also an SVG whose text is
/// drawn as outlines (and renders like the PNG), and tables.tex compiles with pdflatex.
/// </summary>
public sealed class QuickShapedReportTests(QuickShapedReport report) : IClassFixture<QuickShapedReport>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private List<(string Cell, long Hidden, long SeqLen, double Best, double Final, long BestEpoch, long Params)> Summary()
    {
        using var c = report.Connect();
        return c.Query<(string, long, long, double, double, long, long)>(
            "SELECT cell, hidden, seq_len, best_val_loss, final_val_loss, best_epoch, params FROM trial_summary WHERE sweep = @s ORDER BY ordinal",
            new { s = QuickShapedReport.Sweep }).ToList();
    }

    [Fact]
    public void The_GRU_and_LSTM_heatmaps_carry_one_colour_scale_spanning_both_and_the_caption_gives_it()
    {
        var gru = report.Svg("5-heatmap-hidden-seq_len-gru");
        var lstm = report.Svg("5-heatmap-hidden-seq_len-lstm");
        var summary = Summary();
        var (min, max) = (summary.Min(r => r.Best), summary.Max(r => r.Best));

        Assert.Equal((min, max), gru.Colour);
        Assert.Equal(gru.Colour, lstm.Colour);
        Assert.Contains($"The GRU and LSTM heatmaps share one colour scale, from {F4(min)} to {F4(max)} (the lowest and highest value in any of them), "
            + "so a colour means the same loss in each.", report.Markdown);
        foreach (var (figure, cell) in new[] { (gru, "gru"), (lstm, "lstm") })
            foreach (var r in summary.Where(r => r.Cell == cell))
                Assert.Contains(F4(r.Best), figure.Texts); // each cell's value is drawn in it
    }

    [Theory]
    [InlineData("5-val-loss-by-hidden-gru", "5-val-loss-by-hidden-lstm")]
    [InlineData("5-val-loss-by-seq_len-gru", "5-val-loss-by-seq_len-lstm")]
    [InlineData("2-train-loss-per-step-seq_len-25", "2-train-loss-per-step-seq_len-50", "2-train-loss-per-step-seq_len-75")]
    [InlineData("2-loss-per-epoch-seq_len-25", "2-loss-per-epoch-seq_len-50", "2-loss-per-epoch-seq_len-75")]
    [InlineData("3-error-rate-seq_len-25", "3-error-rate-seq_len-50", "3-error-rate-seq_len-75")]
    public void Paired_figures_share_one_y_range_with_the_same_tick_labels_drawn_in_each(params string[] stems)
    {
        var figures = stems.Select(report.Svg).ToList();
        var panels = figures.SelectMany(f => f.Panels).ToList();
        Assert.True(panels.Count >= stems.Length, $"{panels.Count} panels in {string.Join(", ", stems)}");
        var first = panels[0];
        Assert.All(panels, p => Assert.Equal((first.YMin, first.YMax), (p.YMin, p.YMax)));
        Assert.All(panels, p => Assert.Equal(first.YTicks, p.YTicks));
        Assert.True(first.YTicks.Count >= 3, $"y ticks: {string.Join(", ", first.YTicks)}");
        foreach (var f in figures)
            foreach (var tick in first.YTicks) Assert.Contains(tick, f.Texts);
    }

    [Fact]
    public void Captions_state_each_shared_y_range_and_it_holds_every_value_the_figures_draw()
    {
        using var c = report.Connect();
        (double Min, double Max) Values(string metric) => c.QuerySingle<(double, double)>(
            "SELECT MIN(m.value), MAX(m.value) FROM metrics m JOIN sweep_trials st ON st.trial_id = m.trial_id WHERE st.sweep = @s AND m.name = @metric",
            new { s = QuickShapedReport.Sweep, metric });

        var byHidden = report.Svg("5-val-loss-by-hidden-gru").Panels[0];
        Assert.Contains($"The GRU and LSTM figures and all their panels share one y axis ({F2(byHidden.YMin)} to {F2(byHidden.YMax)} nats per character), "
            + "so a height means the same loss in each.", report.Markdown);
        var val = Values("val_loss");
        Assert.InRange(val.Min, byHidden.YMin, byHidden.YMax);
        Assert.InRange(val.Max, byHidden.YMin, byHidden.YMax);

        var step = report.Svg("2-train-loss-per-step-seq_len-25").Panels[0];
        var epoch = report.Svg("2-loss-per-epoch-seq_len-25").Panels[0];
        Assert.Contains($"The 3 per-step figures share one y axis ({F2(step.YMin)} to {F2(step.YMax)} nats per character), and so do the 3 per-epoch figures "
            + $"({F2(epoch.YMin)} to {F2(epoch.YMax)}), so heights compare across sequence length.", report.Markdown);
        var train = Values("train_loss");
        Assert.InRange(train.Min, step.YMin, step.YMax);
        Assert.InRange(train.Max, step.YMin, step.YMax);

        var error = report.Svg("3-error-rate-seq_len-25").Panels[0];
        Assert.Contains($"All 3 figures share one y axis ({error.YMin.ToString("0.0", Inv)} to {error.YMax.ToString("0.0", Inv)} %).", report.Markdown);
    }

    [Theory]
    [InlineData("5-val-loss-by-hidden-gru", 3, 1500, 480)]   // three panels: one row of three, no empty slot
    [InlineData("2-loss-per-epoch-seq_len-50", 2, 1100, 470)]
    [InlineData("2-train-loss-per-step-seq_len-50", 1, 900, 560)]
    [InlineData("6-throughput-and-time", 2, 1080, 960)]     // dot charts stacked, each with the full width for its 9 labels
    public void Panels_are_laid_out_by_their_number(string stem, int panels, int width, int height)
    {
        var svg = report.Svg(stem);
        Assert.Equal(panels, svg.Panels.Count);
        Assert.Equal((width, height), (svg.Width, svg.Height));
        Assert.Equal((width, height), Png.Size(File.ReadAllBytes(report.Figure(stem, "png"))));
    }

    [Trait("Needs", "librsvg")]
    [Fact]
    public void Every_figure_is_also_an_svg_with_its_text_as_glyph_outlines_that_rsvg_renders_like_the_png()
    {
        var rsvg = ExternalTool.Require("rsvg-convert", "librsvg2-bin");
        var pngs = Directory.GetFiles(Path.Combine(report.Result.OutDir, "figures"), "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ReportFolder.ImageLinks(report.Markdown).Count, pngs.Count);
        foreach (var png in pngs)
        {
            var stem = Path.GetFileNameWithoutExtension(png);
            var svg = report.Svg(stem);
            Assert.Equal(0, svg.TextElements);
            Assert.False(string.IsNullOrWhiteSpace(svg.Title), $"{stem}.svg has no <title>");
            Assert.NotEmpty(svg.Panels);
            foreach (var panel in svg.Panels) Assert.Contains(panel.Title, svg.Texts);
            Assert.NotEmpty(svg.Used);
            Assert.All(svg.Used, u => Assert.Contains(u, svg.Defined));

            var rendered = Path.Combine(report.Result.OutDir, $"{stem}.rsvg.png");
            var r = ExternalTool.Run(rsvg, report.Result.OutDir, "--output", rendered, svg.Path);
            Assert.True(r.ExitCode == 0, r.ToString());
            var (blocks, worst) = DifferingBlocks(File.ReadAllBytes(png), File.ReadAllBytes(rendered));
            Assert.True(blocks == 0, $"{stem}: the SVG rendered by rsvg-convert differs from the PNG in {blocks} blocks of 10×10 pixels (mean brightness off by up to {worst:0.0} of 255)");
            File.Delete(rendered);
        }
    }

    [Trait("Needs", "TeX Live")]
    [Fact]
    public void Tables_tex_compiles_with_pdflatex_beside_a_pdf_figure_and_lists_every_configuration()
    {
        var pdflatex = ExternalTool.Require("pdflatex", "texlive-latex-base texlive-latex-recommended");
        var dir = report.Result.OutDir;
        var tex = File.ReadAllText(Path.Combine(dir, "tables.tex"));
        Assert.All(tex, ch => Assert.True(ch < 128, $"tables.tex has the non-ASCII character U+{(int)ch:X4}"));
        var summary = Summary();
        var lowest = summary.Min(x => x.Best);
        foreach (var r in summary)
            Assert.Contains($"    {r.Cell} & {r.Hidden} & {r.SeqLen} & {r.Params.ToString("#,0", Inv)} & {(r.Best == lowest ? $"\\textbf{{{F4(r.Best)}}}" : F4(r.Best))} & {r.BestEpoch} & {F4(r.Final)} \\\\\n", tex);
        Assert.Contains("\\label{tab:quick-architecture-gru}", tex);
        Assert.Contains("\\label{tab:quick-architecture-lstm}", tex);
        Assert.Contains("\\label{tab:quick-factors}", tex);

        var pdf = report.Figure("5-heatmap-hidden-seq_len-gru", "pdf");
        Assert.StartsWith("%PDF-", File.ReadAllText(pdf)[..8]);
        File.WriteAllText(Path.Combine(dir, "paper.tex"), """
            \documentclass{article}
            \usepackage{booktabs}
            \usepackage{graphicx}
            \begin{document}
            \input{tables}
            \begin{figure}[htbp]\centering\includegraphics[width=\linewidth]{figures/5-heatmap-hidden-seq_len-gru.pdf}\caption{Heatmap}\end{figure}
            \end{document}
            """);
        var run = ExternalTool.Run(pdflatex, dir, "-interaction=nonstopmode", "-halt-on-error", "paper.tex");
        Assert.True(run.ExitCode == 0, run.ToString());
        var log = File.ReadAllText(Path.Combine(dir, "paper.log"));
        Assert.DoesNotContain("\n! ", log);
        Assert.Contains("Output written on paper.pdf (", log);
    }

    [Fact]
    public void The_curves_say_what_a_step_and_an_epoch_stand_for_and_why_validation_can_lie_below_training()
    {
        var curves = ReportFolder.Section(report.Markdown, 2);
        Assert.Contains("The bottom x axis counts optimizer steps; one step trains on batch size × sequence length characters (64 × 25 = 1,600 to 64 × 75 = 4,800), "
            + "so at the same step seq\\_len 75 has seen 3× the characters of seq\\_len 25. The top axis of each figure shows the characters seen by its configurations.", curves);
        Assert.Contains("Every epoch here is cut at `train.max_steps` = 50 optimizer steps, less than a full pass over the training text, so an epoch stands for "
            + "80,000 (seq\\_len 25) to 240,000 characters (seq\\_len 75): at the same epoch, configurations with longer sequences or larger batches have seen more text.", curves);
        Assert.Contains("Training loss per epoch is the mean over the epoch's steps, taken while the model is still learning; validation loss is measured once, "
            + "after the epoch's last step. So validation loss can lie below the training loss of the same epoch without the model doing better on unseen text.", curves);
        Assert.Equal(3, CountOf(curves, "Training loss: the mean over each epoch's steps; validation loss: measured after the epoch's last step, which is why it can be the lower of the two."));
        Assert.Contains("figures/2-train-loss-per-step-seq_len-75.png", curves);
        Assert.Contains("optimizer step (top axis: characters seen (thousands))", report.Svg("2-train-loss-per-step-seq_len-75").Texts);
    }

    [Fact]
    public void Speed_claims_give_their_spread_or_say_they_are_single_measurements()
    {
        using var c = report.Connect();
        var rates = c.Query<(string Trial, string Cell, long Hidden, long SeqLen, double Rate)>("""
            SELECT m.trial_id, s.cell, s.hidden, s.seq_len, m.value FROM metrics m JOIN trial_summary s ON s.trial_id = m.trial_id
            WHERE s.sweep = @s AND m.name = 'chars_per_sec'
            """, new { s = QuickShapedReport.Sweep }).ToList();
        var spread = rates.GroupBy(r => r.Trial).Select(g => (Ratio: g.Max(r => r.Rate) / g.Min(r => r.Rate), g.First())).MaxBy(x => x.Ratio);
        var caveat = "Each configuration ran once, so every speed here is a single measurement; other load on the machine is not recorded. "
            + $"Within one trial, the fastest epoch ran at up to {spread.Ratio.ToString("0.00", Inv)}× the characters/s of the slowest "
            + $"({spread.Item2.Cell} · hidden {spread.Item2.Hidden} · seq\\_len {spread.Item2.SeqLen}), so smaller speed differences between configurations are within the noise of one run.";
        Assert.Contains(caveat, ReportFolder.Section(report.Markdown, 6));
        Assert.Contains(caveat, ReportFolder.Section(report.Markdown, 8));

        var mean = rates.GroupBy(r => (r.Cell, r.Hidden, r.SeqLen)).ToDictionary(g => g.Key, g => g.Average(r => r.Rate));
        var ratios = mean.Where(kv => kv.Key.Cell == "gru").Select(kv => kv.Value / mean[("lstm", kv.Key.Hidden, kv.Key.SeqLen)]).ToList();
        Assert.Contains($"GRU processed {ratios.Average().ToString("0.00", Inv)}× the characters per second of LSTM (mean ratio over 9 pairs, "
            + $"from {ratios.Min().ToString("0.00", Inv)}× to {ratios.Max().ToString("0.00", Inv)}×)", report.Markdown);
        Assert.Contains("figures/6-throughput-and-time.png", report.Markdown);
    }

    [Fact]
    public void The_header_dates_the_report_by_the_newest_recorded_change_not_the_sweeps_creation()
    {
        using var c = report.Connect();
        var created = c.QuerySingle<string>("SELECT created_at FROM sweeps WHERE name = @s", new { s = QuickShapedReport.Sweep });
        // In this store the attempts end last: each trial is completed after its metrics are written.
        var newest = c.QuerySingle<string>("SELECT MAX(ended_at) FROM attempts");
        Assert.NotEqual(created, newest);
        Assert.Contains($"sweep created {created}, last updated {newest} (the newest thing recorded: a metric, an attempt's start or end, a checkpoint or a sample)", report.Markdown);
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>
    /// Blocks of 10×10 pixels whose mean brightness differs by more than 40 (of 255) between two PNGs of the same size,
    /// and the largest difference. Two renderers antialias edges differently (up to about 23 here); a missing or
    /// misplaced word changes its blocks by far more (up to 80).
    /// </summary>
    private static (int Blocks, double Worst) DifferingBlocks(byte[] a, byte[] b)
    {
        const int size = 10;
        using var x = SkiaSharp.SKBitmap.Decode(a);
        using var y = SkiaSharp.SKBitmap.Decode(b);
        Assert.Equal((x.Width, x.Height), (y.Width, y.Height));
        var (px, py) = (x.Pixels, y.Pixels);
        static double Light(SkiaSharp.SKColor c) => 0.3 * c.Red + 0.59 * c.Green + 0.11 * c.Blue;
        var (blocks, worst) = (0, 0.0);
        for (var by = 0; by + size <= x.Height; by += size)
            for (var bx = 0; bx + size <= x.Width; bx += size)
            {
                var sum = 0.0;
                for (var j = by; j < by + size; j++)
                    for (var i = bx; i < bx + size; i++)
                        sum += Light(px[j * x.Width + i]) - Light(py[j * x.Width + i]);
                var d = Math.Abs(sum) / (size * size);
                worst = Math.Max(worst, d);
                if (d > 40) blocks++;
            }
        return (blocks, worst);
    }

    private static string F4(double v) => v.ToString("0.0000", Inv);
    private static string F2(double v) => v.ToString("0.00", Inv);
}
