using Core.Store;
using Microsoft.Data.Sqlite;
using Reporting.Figures;
using TestSupport;

namespace Reporting.Tests.Support;

/// <summary>
/// A sweep of the quick study's shape — gru/lstm × hidden 32/64/128 × seq_len 25/50/75, three epochs cut at
/// max_steps 50 — filled through the Core repositories (<see cref="SyntheticStore"/>), reported once with its
/// figures as PNG, SVG and PDF. Shared by the tests of the report's scales, vector figures and LaTeX tables.
/// </summary>
public sealed class QuickShapedReport : IDisposable
{
    public const string Sweep = "quick";
    public static readonly string[] Cells = ["gru", "lstm"];
    public static readonly int[] Hidden = [32, 64, 128];
    public static readonly int[] SeqLens = [25, 50, 75];
    public const int StepsPerEpoch = 50;

    private readonly TempDir _dir = new("report-quick");

    public QuickShapedReport()
    {
        DbPath = _dir.File("results/orchestrator.db");
        var store = new SyntheticStore(Database.Open(DbPath));
        var trials = SyntheticStore.Grid(Cells, Hidden, SeqLens, epochs: 3, maxSteps: StepsPerEpoch, logEvery: 5);
        store.Register(Sweep, trials);
        foreach (var t in trials) store.Record(t, StepsPerEpoch);
        SqliteConnection.ClearAllPools();
        Result = new ReportWriter(Database.OpenReadOnly(DbPath), [FigureFormat.Png, FigureFormat.Svg, FigureFormat.Pdf])
            .Write(Sweep, _dir.File("report"), CancellationToken.None);
        Markdown = File.ReadAllText(Result.ReportPath);
    }

    public string DbPath { get; }
    public ReportResult Result { get; }
    public string Markdown { get; }

    /// <summary>figures/<paramref name="stem"/>.svg, read.</summary>
    public SvgFigure Svg(string stem) => new(Figure(stem, "svg"));

    public string Figure(string stem, string extension) => Path.Combine(Result.OutDir, "figures", $"{stem}.{extension}");

    public SqliteConnection Connect() => ReadOnlySqlite.Connect(DbPath);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
