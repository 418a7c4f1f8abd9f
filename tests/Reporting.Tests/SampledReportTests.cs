using Core.Store;
using Microsoft.Data.Sqlite;
using Reporting.Tests.Support;
using TestSupport;

namespace Reporting.Tests;

/// <summary>
/// The report of a sampled (random-search) sweep: section 5 plots loss against each sampled parameter instead of
/// per-value curves and heatmaps, and says which parameter mattered most with the method named, or why it cannot.
/// A grid sweep keeps its own section 5. Synthetic records (no training): its loss rises with the learning rate.
/// </summary>
public sealed class SampledReportTests : IDisposable
{
    private static readonly string[] Grid = ["train.lr: { log_uniform: [0.0001, 0.01] }", "model.hidden: { choice: [256, 512] }", "model.cell: [gru, lstm]"];
    private readonly TempDir _dir = new("report-sampled");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private ReportResult Report(string sweep, List<SyntheticStore.Trial> trials, string? yaml, params string[] outDirs)
    {
        var path = _dir.File($"{sweep}/orchestrator.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var store = new SyntheticStore(Database.Open(path));
        store.Register(sweep, trials, yaml);
        foreach (var t in trials) store.Record(t, stepsPerEpoch: 20);
        SqliteConnection.ClearAllPools();
        var db = Database.OpenReadOnly(path);
        return outDirs.Select(o => new ReportWriter(db).Write(sweep, _dir.File(o), CancellationToken.None)).ToList()[0];
    }

    [Fact]
    public void A_sampled_sweep_gets_a_scatter_per_parameter_and_names_the_parameter_that_mattered_most()
    {
        var (trials, yaml) = SyntheticStore.Sampled(Grid, trials: 10);
        var result = Report("rand", trials, yaml, "out", "again");
        var md = File.ReadAllText(result.ReportPath);
        var five = ReportFolder.Section(md, 5);

        Assert.StartsWith("\n## 5. Effect of the sampled parameters", five);
        Assert.Contains("### 5.1 Effect of learning rate", five);
        Assert.Contains("Learning rate was drawn log-uniform on [0.0001, 0.01], so the x axis is logarithmic", five);
        Assert.Contains("### 5.2 Effect of hidden size", five);
        Assert.Contains("Hidden size was drawn by uniform choice from a list (2 distinct values drawn); its values are categories on the x axis", five);
        Assert.Contains("### 5.3 Effect of cell type", five);
        Assert.Contains("Learning rate mattered most: it alone explains", five);
        Assert.Contains("lower learning rate → lower loss", five);
        Assert.Contains("from 10 completed trials", five);
        Assert.Contains("Method: For each sampled parameter, the share of the variance of the completed trials' best-validation-loss ranks", five);
        Assert.Contains("Spearman's ρ²", five);
        Assert.Contains("- hidden size: η² = ", five);
        Assert.DoesNotContain("heatmap", md, StringComparison.OrdinalIgnoreCase);

        var figures = ReportFolder.ImageLinks(five);
        Assert.Equal(["figures/5-best-val-loss-by-lr.png", "figures/5-best-val-loss-by-hidden.png", "figures/5-best-val-loss-by-cell.png"], figures);
        var svgs = figures.Select(f => new SvgFigure(Path.Combine(result.OutDir, Path.ChangeExtension(f, ".svg")))).ToList();
        Assert.All(svgs, s => Assert.Equal((svgs[0].Panels[0].YMin, svgs[0].Panels[0].YMax), (s.Panels[0].YMin, s.Panels[0].YMax))); // one y axis
        Assert.Contains("learning rate, log scale", svgs[0].Texts);
        Assert.Contains("3e-4", svgs[0].Texts);
        Assert.Contains("GRU, completed", svgs[0].Texts);

        // The table is sorted by best validation loss; the findings say the same as section 5.
        var losses = five.Split('\n').Where(l => l.StartsWith("| gru |", StringComparison.Ordinal) || l.StartsWith("| lstm |", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split('|')[6], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(10, losses.Count);
        Assert.Equal(losses.Order(), losses);
        Assert.Contains("- Learning rate mattered most", ReportFolder.Section(md, 8));
        Assert.Contains("No configuration was run with both gru and lstm. The sweep drew its configurations at random, so matched pairs are rare", ReportFolder.Section(md, 6));

        // The same database gives the same bytes, tables.tex and trials.csv included.
        var tex = File.ReadAllText(Path.Combine(result.OutDir, "tables.tex"));
        Assert.Contains(@"\label{tab:rand-parameters}", tex);
        Assert.Contains(@"learning rate & log-uniform on {[}0.0001, 0.01{]} & $\rho = +0.", tex);
        Assert.DoesNotContain("tab:rand-factors", tex);
        var first = ReportFolder.Hashes(result.OutDir);
        Assert.Contains("tables.tex", first.Keys);
        Assert.Contains("trials.csv", first.Keys);
        Assert.Equal(first, ReportFolder.Hashes(_dir.File("again")));
    }

    [Fact]
    public void With_too_few_completed_trials_it_declines_to_name_a_parameter_and_stopped_trials_are_drawn_open()
    {
        var (trials, yaml) = SyntheticStore.Sampled(Grid, trials: 8);
        trials = trials.Select((t, i) => i switch
        {
            1 or 4 => t with { State = TrialStates.Stopped, EpochsDone = 1 },
            6 => t with { State = TrialStates.Running, EpochsDone = 1 },
            _ => t,
        }).ToList();
        var result = Report("few", trials, yaml, "out");
        var five = ReportFolder.Section(File.ReadAllText(result.ReportPath), 5);

        Assert.Contains("Which sampled parameter mattered most cannot be said: only 5 trials have completed; it takes at least 6.", five);
        Assert.Contains("open markers: trials stopped early", five);
        Assert.Contains("Not drawn, having no final best validation loss: 1 running.", five);
        var svg = new SvgFigure(Path.Combine(result.OutDir, "figures/5-best-val-loss-by-lr.svg"));
        Assert.Contains(svg.Texts, t => t.EndsWith("stopped early", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sampled_sweep_of_one_trial_says_that_nothing_varied_yet()
    {
        var (trials, yaml) = SyntheticStore.Sampled(Grid, trials: 1, epochs: 1);
        var md = File.ReadAllText(Report("one", trials, yaml, "out").ReportPath);
        Assert.Contains("Sampled at random (search: random, 1 draw, seed 7): no parameter has taken two values yet: 1 configuration", md);
        var five = ReportFolder.Section(md, 5);
        Assert.Contains("No sampled parameter has taken more than one value yet, so there is no effect to show.", five);
        Assert.Contains("Which sampled parameter mattered most cannot be said: no sampled parameter took more than one value.", five);
        Assert.Empty(ReportFolder.ImageLinks(five));
    }

    [Fact]
    public void A_stored_spec_that_no_longer_parses_leaves_the_report_as_for_a_grid()
    {
        var (trials, yaml) = SyntheticStore.Sampled(["train.lr: { log_uniform: [0.0001, 0.01] }"], trials: 3, epochs: 2);
        var result = Report("old", trials, yaml + "\nretired_section: 1\n", "out");
        var md = File.ReadAllText(result.ReportPath);
        Assert.StartsWith("\n## 5. Learning rate\n", ReportFolder.Section(md, 5));
        Assert.Contains("Grid: cell type ∈ {gru} × learning rate ∈ {", md);
    }

    [Fact]
    public void A_grid_sweep_keeps_its_per_factor_curves_and_heatmaps()
    {
        var result = Report("grid", SyntheticStore.Grid(["gru"], [256, 512], [50, 100], epochs: 2), null, "out");
        var five = ReportFolder.Section(File.ReadAllText(result.ReportPath), 5);
        Assert.StartsWith("\n## 5. Hidden size and sequence length", five);
        Assert.Contains("heatmap", five, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sampled", five, StringComparison.Ordinal);
    }
}
