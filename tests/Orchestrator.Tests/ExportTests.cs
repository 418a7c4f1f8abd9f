using Core.Store;
using Dapper;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// <c>orchestrator export</c>: a sweep of real trials goes SQLite → PostgreSQL → SQLite and every
/// row of every table comes back as it was; the view reads the same on both engines; a sweep can go
/// alone; exporting again changes nothing.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class ExportTests
{
    [Fact]
    public void A_round_trip_sqlite_to_postgresql_to_sqlite_keeps_every_row_of_every_table()
    {
        using var source = TestStore.Create(Backend.Sqlite, "export");
        using var pg = TestStore.Create(Backend.Postgres, "export");
        var dir = source.Dir;
        var spec = TinySweep.Write(dir, "tiny", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"]);
        var run = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());
        AddRowsARunDoesNotMake(source.Open());
        var original = StoreRows.Of(source.OpenReadOnly());
        foreach (var table in Schema.Tables) Assert.Contains(original, l => l.StartsWith(table.Name + ":", StringComparison.Ordinal));

        var there = OrchestratorCli.Run(dir.Path, "export", "--to", pg.Db);
        Assert.True(there.ExitCode == 0, there.ToString());
        Assert.Contains($"exported 2 sweep(s) from {source.Db} to {pg.Db}:", there.StdOut);
        Assert.Equal(original, StoreRows.Of(pg.OpenReadOnly()));
        Assert.Equal(Summary(source.OpenReadOnly()), Summary(pg.OpenReadOnly()));

        var copy = dir.File("back/copy.db");
        var back = OrchestratorCli.Run(dir.Path, "export", "--from", pg.Db, "--to", copy);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal(original, StoreRows.Of(Database.OpenReadOnly(copy)));

        // Exporting again replaces what it copied: nothing doubles, nothing changes.
        Assert.Equal(0, OrchestratorCli.Run(dir.Path, "export", "--to", pg.Db).ExitCode);
        Assert.Equal(original, StoreRows.Of(pg.OpenReadOnly()));

        var status = OrchestratorCli.Run(dir.Path, "status", "tiny", "--db", pg.Db);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("sweep tiny: 4 completed, 0 running, 0 pending, 0 failed (of 4)", status.StdOut);
    }

    [Fact]
    public void One_sweep_goes_alone_and_a_target_that_is_the_source_is_refused()
    {
        using var source = TestStore.Create(Backend.Postgres, "export-one");
        using var target = TestStore.Create(Backend.Sqlite, "export-one");
        var db = source.Open();
        var sweeps = new SweepRepository(db);
        var a = Member(8, 0);
        sweeps.Register("a", null, "a: spec", [a]);
        sweeps.Register("b", null, "b: spec", [Member(16, 0), Member(24, 1)]);
        new ResultRepository(db).WriteMetrics([new MetricRow(a.TrialId, MetricNames.TrainLoss, 1, null, 2.5, 1.5)]);

        var r = OrchestratorCli.Run(target.Dir.Path, "export", "a", "--from", source.Db, "--to", target.Db);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("exported sweep a from", r.StdOut);
        var copied = StoreRows.Of(target.OpenReadOnly());
        Assert.Equal(StoreRows.Of(source.OpenReadOnly()).Where(l => !l.Contains("\"b\"", StringComparison.Ordinal) && !IsOfSweepB(l)), copied);
        Assert.Single(copied, l => l.StartsWith("trials:", StringComparison.Ordinal));

        var unknown = OrchestratorCli.Run(target.Dir.Path, "export", "nope", "--from", source.Db, "--to", target.Db);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no sweep named 'nope'", unknown.StdErr);
        var same = OrchestratorCli.Run(target.Dir.Path, "export", "--from", source.Db, "--to", source.Db);
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("the export's source and target are the same database", same.StdErr);

        bool IsOfSweepB(string line) => new[] { Member(16, 0).TrialId, Member(24, 1).TrialId }.Any(id => line.Contains(id, StringComparison.Ordinal));
    }

    private static SweepMember Member(int hidden, int ordinal)
    {
        var c = new Core.Config.TrialConfig { Model = new Core.Config.ModelConfig { Hidden = hidden } };
        return new SweepMember(c.Id(), c.ToCanonicalJson(), ordinal, $"{{\"model.hidden\":\"{hidden}\"}}", 0);
    }

    /// <summary>Rows of the tables and values a local run leaves empty: a Slurm job, a second sweep, awkward text and floats.</summary>
    private static void AddRowsARunDoesNotMake(Database db)
    {
        var trial = new TrialRepository(db).ListForSweep("tiny")[0];
        new SweepRepository(db).Register("other", null, "name: other\n# ünïcödé ✓ and 'quotes'", [Member(32, 0)]);
        new SweepRepository(db).Register("other", null, "name: other\n# ünïcödé ✓ and 'quotes'", [Member(40, 0)]); // hidden 32 left: a sweep_departures row
        new ResultRepository(db).WriteMetrics([
            new MetricRow(trial.TrialId, "custom", 999, 7, 0.1 + 0.2, 1.7e9 + 0.123456789),
            new MetricRow(trial.TrialId, "tiny_value", 1000, null, double.Epsilon, 5e-324),
        ]);
        using var c = db.Connect();
        c.Execute("INSERT INTO slurm_jobs(sweep, job_id, \"array\", submitted_at) VALUES ('tiny', '4242', '0-3%2', '2025-01-01T00:00:00.000Z')");
        c.Execute("UPDATE attempts SET slurm_job = '4242_1', cuda_visible_devices = '0,1', stderr_tail = @tail WHERE trial_id = @id",
            new { id = trial.TrialId, tail = "line 1\nline \"2\"\ttab" });
    }

    private static IReadOnlyList<string> Summary(Database db)
    {
        using var c = db.Connect();
        return c.Query("SELECT * FROM trial_summary ORDER BY sweep, trial_id")
            .Select(row => string.Join(" ", ((IDictionary<string, object?>)row).OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => $"{kv.Key}={StoreRows.Text(kv.Value)}")))
            .ToList();
    }
}
