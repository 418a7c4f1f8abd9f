using System.Diagnostics;
using System.Text.RegularExpressions;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A sampled sweep, run and reported through the CLI as a user does: `orchestrator report` plots loss against each
/// sampled parameter (a log axis for the log-uniform learning rate) instead of heatmaps, and says which parameter
/// mattered most with the method it used; the figures exist and their SVG renders.
/// </summary>
[Collection("sweeps")]
public sealed class SampledReportTests
{
    [Trait("Needs", "librsvg")]
    [Fact]
    public void The_report_of_a_sampled_sweep_plots_loss_against_each_sampled_parameter_and_names_what_mattered_most()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "sampled", ["train.lr: { log_uniform: [0.001, 0.1] }", "model.cell: [gru, lstm]"],
            epochs: 1, maxSteps: 4, checkpointEvery: 4, parallel: 3, sections: ["search: { method: random, trials: 6, seed: 3 }"]);
        var run = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());

        var report = OrchestratorCli.Run(dir.Path, "report");
        Assert.True(report.ExitCode == 0, report.ToString());
        var md = File.ReadAllText(dir.File("results/sampled/report.md"));
        Assert.Contains("Sampled at random (search: random, 6 draws, seed 3): learning rate log-uniform on [0.001, 0.1]", md);
        Assert.Contains("## 5. Effect of the sampled parameters", md);
        Assert.Contains("Learning rate was drawn log-uniform on [0.001, 0.1], so the x axis is logarithmic", md);
        Assert.Contains("### 5.3 Which parameter mattered most", md);
        var verdict = new Regex(@"\n(Learning rate mattered most: it alone explains 0\.\d\d of the variance of the loss ranks \(ρ², against 0\.\d\d for cell type, the next; from 6 completed trials\); (lower|higher) learning rate → lower loss\."
            + @"|Cell type mattered most: it alone explains 0\.\d\d of the variance of the loss ranks \(η², against 0\.\d\d for learning rate, the next; from 6 completed trials\)\."
            + @"|Which sampled parameter mattered most cannot be said: [^\n]+ with 6 trials\.)\n");
        Assert.True(verdict.IsMatch(md), md[md.IndexOf("## 5.", StringComparison.Ordinal)..]);
        Assert.Contains("Method: For each sampled parameter, the share of the variance of the completed trials' best-validation-loss ranks that it explains alone: Spearman's ρ²", md);
        Assert.DoesNotContain("heatmap", md, StringComparison.OrdinalIgnoreCase);

        var figures = dir.File("results/sampled/figures");
        foreach (var stem in new[] { "5-best-val-loss-by-lr", "5-best-val-loss-by-cell", "2-loss-per-epoch-best" })
            Assert.True(File.Exists(Path.Combine(figures, stem + ".png")) && File.Exists(Path.Combine(figures, stem + ".svg")), $"{stem}.png/.svg missing");
        var svg = File.ReadAllText(Path.Combine(figures, "5-best-val-loss-by-lr.svg"));
        Assert.Contains("aria-label=\"0.003\"", svg); // a tick of the log axis (1 and 3 times powers of ten), as text a reader finds
        var rendered = dir.File("lr.png");
        var rsvg = Process.Start(new ProcessStartInfo("rsvg-convert", ["--output", rendered, Path.Combine(figures, "5-best-val-loss-by-lr.svg")]) { RedirectStandardError = true })!;
        var error = rsvg.StandardError.ReadToEnd();
        rsvg.WaitForExit();
        Assert.True(rsvg.ExitCode == 0, $"rsvg-convert failed: {error}");
        Assert.True(new FileInfo(rendered).Length > 10_000, "rsvg-convert drew an empty figure");
    }
}
