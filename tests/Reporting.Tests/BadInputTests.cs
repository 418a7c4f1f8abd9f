using Core.Store;
using Microsoft.Data.Sqlite;
using Reporting.Comparison;
using Reporting.Figures;
using Reporting.Tests.Support;
using TestSupport;

namespace Reporting.Tests;

/// <summary>What the user gets for a wrong sweep name, an empty database or a folder that cannot be written; and the defaults.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new("report-bad");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private string SmallSweeps(params string[] names)
    {
        var path = _dir.File("results/orchestrator.db");
        var store = new SyntheticStore(Database.Open(path));
        foreach (var name in names)
        {
            var trials = SyntheticStore.Grid(["gru"], [32], [8, 16], epochs: 2, logEvery: 5);
            store.Register(name, trials);
            foreach (var t in trials) store.Record(t, stepsPerEpoch: 10);
            Thread.Sleep(5); // distinct updated_at stamps (milliseconds)
        }
        SqliteConnection.ClearAllPools();
        return path;
    }

    [Fact]
    public void An_unknown_sweep_is_refused_with_the_names_of_the_sweeps_that_exist()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha", "beta"));
        var e = Assert.Throws<SweepNotFoundException>(() => new ReportWriter(db).Write("gamma", _dir.File("out"), CancellationToken.None));
        Assert.Contains("no sweep named 'gamma'", e.Message);
        Assert.Contains("sweeps there: alpha, beta", e.Message);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void A_database_without_sweeps_says_so_and_names_the_file()
    {
        var path = _dir.File("empty/orchestrator.db");
        Database.Open(path);
        SqliteConnection.ClearAllPools();
        var db = Database.OpenReadOnly(path);
        var e = Assert.Throws<SweepNotFoundException>(() => new ReportWriter(db).Write(null, null, CancellationToken.None));
        Assert.Contains("has no sweeps yet", e.Message);
        Assert.Contains(db.Path, e.Message);
    }

    [Fact]
    public void An_output_folder_that_cannot_be_created_is_named_in_the_error_and_nothing_is_written()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha"));
        var blocker = _dir.Write("not-a-folder", "a file where the report folder's parent should be");
        var target = Path.Combine(blocker, "report");
        var e = Assert.Throws<ReportException>(() => new ReportWriter(db).Write("alpha", target, CancellationToken.None));
        Assert.Contains($"cannot write the report to {target}", e.Message);
        Assert.Equal("a file where the report folder's parent should be", File.ReadAllText(blocker));
    }

    [Fact]
    public void Without_a_name_the_most_recently_updated_sweep_is_reported_into_a_folder_beside_the_database()
    {
        var path = SmallSweeps("alpha", "beta");
        var db = Database.OpenReadOnly(path);
        var result = new ReportWriter(db).Write(null, null, CancellationToken.None);
        Assert.Equal("beta", result.Sweep);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "beta"), result.OutDir);
        Assert.Equal(Path.Combine(result.OutDir, "report.md"), result.ReportPath);
        Assert.StartsWith("# Sweep report: beta\n", File.ReadAllText(result.ReportPath));
        string[] expected = ["metrics.csv", "probes.csv", "report.md", "samples.csv", "tables.tex", "trials.csv"];
        Assert.Equal(expected, result.Files.Where(f => !f.Contains("/figures/")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(result.Files, f => Assert.True(File.Exists(f), f));
    }

    [Fact]
    public void A_sweep_name_that_is_not_a_safe_folder_name_still_gets_one_folder_beside_the_database()
    {
        var path = SmallSweeps("runs/2024 v1");
        var result = new ReportWriter(Database.OpenReadOnly(path)).Write("runs/2024 v1", null, CancellationToken.None);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "runs_2024 v1"), result.OutDir);
        Assert.True(File.Exists(result.ReportPath));
    }

    [Fact]
    public void Rewriting_a_report_replaces_its_files_and_drops_figures_it_no_longer_has()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha"));
        var outDir = _dir.File("out");
        var first = new ReportWriter(db).Write("alpha", outDir, CancellationToken.None);
        var stale = Path.Combine(outDir, "figures", "from-an-older-report.png");
        File.WriteAllBytes(stale, [1, 2, 3]);
        var notes = Path.Combine(outDir, "my-notes.txt");
        File.WriteAllText(notes, "mine");
        var second = new ReportWriter(db).Write("alpha", outDir, CancellationToken.None);
        Assert.False(File.Exists(stale));
        Assert.Equal("mine", File.ReadAllText(notes));
        Assert.Equal(first.Files, second.Files);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_cancelled_report_stops_with_OperationCanceledException()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new ReportWriter(db).Write("alpha", _dir.File("out"), cts.Token));
        Assert.False(File.Exists(_dir.File("out/report.md")));
    }

    [Fact]
    public void A_comparison_needs_two_different_sweeps_that_exist_and_writes_nothing_otherwise()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha", "beta"));
        var same = Assert.Throws<ReportException>(() => new ComparisonWriter(db).Write("alpha", "alpha", _dir.File("out"), CancellationToken.None));
        Assert.Equal("report alpha alpha: give two different sweeps to compare", same.Message);
        var unknown = Assert.Throws<SweepNotFoundException>(() => new ComparisonWriter(db).Write("alpha", "gamma", _dir.File("out"), CancellationToken.None));
        Assert.Equal($"no sweep named 'gamma' in {db.Path}; sweeps there: alpha, beta", unknown.Message);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void A_format_list_with_an_unknown_format_is_refused_naming_it_and_the_choices()
    {
        var e = Assert.Throws<ReportException>(() => FigureFormats.Parse("png,gif"));
        Assert.Equal("--format png,gif: 'gif' is not a figure format; give one or more of png, svg, pdf separated by commas (e.g. png,svg)", e.Message);
        Assert.Equal([FigureFormat.Svg, FigureFormat.Png], FigureFormats.Parse(" SVG , png,svg"));
    }

    [Fact]
    public void With_svg_only_report_md_links_the_svg_figures_and_no_png_is_written()
    {
        var db = Database.OpenReadOnly(SmallSweeps("alpha"));
        var result = new ReportWriter(db, [FigureFormat.Svg]).Write("alpha", _dir.File("out"), CancellationToken.None);
        var links = ReportFolder.ImageLinks(File.ReadAllText(result.ReportPath));
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.EndsWith(".svg", l));
        Assert.Equal(links.Order(), Directory.GetFiles(_dir.File("out/figures")).Select(f => "figures/" + Path.GetFileName(f)).Order());
    }
}
