using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Orchestrator.Planning;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A results folder on read-only media (a real read-only bind mount, in a mount namespace of its
/// own: <c>unshare -m</c>, which needs root, as the tests have here and in CI). The reading commands
/// work there; what cannot work names the database and says why.
/// </summary>
public sealed class ReadOnlyMediaTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;
    private readonly string _db;

    public ReadOnlyMediaTests()
    {
        // A sweep of four pending trials, recorded the way `run` records a plan, then every
        // connection closed: SQLite checkpoints and deletes the -wal and -shm files, as after a run.
        var spec = SpecLoader.Load(TinySweep.Write(_dir, "ro", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"]));
        _results = _dir.File("results");
        _db = Path.Combine(_results, "orchestrator.db");
        SweepPlan.Register(Database.Open(_db), spec);
        SqliteConnection.ClearAllPools();
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs the orchestrator with <paramref name="folder"/> mounted read-only over itself, for this process only.</summary>
    private ProcessResult ReadOnly(string folder, params string[] args) =>
        ChildProcess.Run(ReadOnlyMount.Wrap(OrchestratorCli.StartInfo(_dir.Path, null, args), folder), OrchestratorCli.DefaultTimeout);

    private string[] ResultsFiles() => Directory.GetFileSystemEntries(_results).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Status_query_and_report_elsewhere_read_a_database_on_a_read_only_mount()
    {
        Assert.Equal(["orchestrator.db"], ResultsFiles()); // no -shm: SQLite's usual read-only open has to create one

        var status = ReadOnly(_results, "status", "ro");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("sweep ro: 0 completed, 0 running, 4 pending, 0 failed (of 4)", status.StdOut);

        var query = ReadOnly(_results, "query", "SELECT cell, COUNT(*) AS n FROM trial_summary GROUP BY cell ORDER BY cell", "--format", "csv");
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("cell,n\ngru,2\nlstm,2\n", query.StdOut);

        var report = ReadOnly(_results, "report", "--out", _dir.File("report"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(File.Exists(_dir.File("report/report.md")), report.ToString());

        Assert.Equal(["orchestrator.db"], ResultsFiles());
    }

    [Fact]
    public void What_cannot_work_on_a_read_only_mount_names_the_database_and_why()
    {
        // A report into the read-only folder itself.
        var report = ReadOnly(_results, "report");
        Assert.True(report.ExitCode == 2, report.ToString());
        Assert.Contains($"cannot write the report to {Path.Combine(_results, "ro")}", report.StdErr);

        // `run` has to write.
        var run = ReadOnly(_results, "run", _dir.File("sweep.yaml"));
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains($"cannot open the database {_db}: unable to open database file", run.StdErr);

        // A write-ahead log with changes in it cannot be read where SQLite cannot create the -shm file beside it.
        var copy = _dir.File("copy");
        Directory.CreateDirectory(copy);
        var db = Database.Open(_dir.File("live/orchestrator.db"));
        SweepPlan.Register(db, SpecLoader.Load(_dir.File("sweep.yaml")));
        File.Copy(db.Path, Path.Combine(copy, "orchestrator.db"));
        File.Copy(db.Path + "-wal", Path.Combine(copy, "orchestrator.db-wal")); // copied while the connection is open: not checkpointed
        SqliteConnection.ClearAllPools();
        Assert.True(new FileInfo(Path.Combine(copy, "orchestrator.db-wal")).Length > 0);

        var status = ReadOnly(copy, "status", "--results", copy);
        Assert.True(status.ExitCode == 3, status.ToString());
        Assert.Contains($"cannot open the database {Path.Combine(copy, "orchestrator.db")}: its write-ahead log {Path.Combine(copy, "orchestrator.db-wal")} holds changes", status.StdErr);
        Assert.DoesNotContain("SQLite Error", status.StdErr);
        Assert.Equal(["orchestrator.db", "orchestrator.db-wal"], Directory.GetFiles(copy).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
