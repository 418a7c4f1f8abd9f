using System.Text.Json;
using Core.Spec;
using Core.Store;
using Orchestrator.Planning;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary><c>query</c>: reads through a read-only connection; a write is refused and changes nothing.</summary>
public sealed class QueryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _db;

    public QueryTests()
    {
        // A registered sweep of four pending trials, recorded the way `run` records a plan.
        var spec = SpecLoader.Load(TinySweep.Write(_dir, "q", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"]));
        _db = _dir.File("results/orchestrator.db");
        SweepPlan.Register(Database.Open(_db), spec);
    }

    public void Dispose() => _dir.Dispose();

    private long Count(string table)
    {
        using var c = Database.OpenReadOnly(_db).Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }

    [Theory]
    [InlineData("DELETE FROM trials")]
    [InlineData("UPDATE trials SET state = 'failed'")]
    [InlineData("INSERT INTO sweeps(name, created_at, updated_at) VALUES ('x', 'now', 'now')")]
    [InlineData("DROP TABLE metrics")]
    [InlineData("SELECT 1; DELETE FROM sweep_trials")]
    [InlineData("CREATE TABLE scratch(x)")]
    public void A_write_statement_is_refused_and_changes_nothing(string sql)
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", sql);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("refused", r.StdErr);
        Assert.Contains("Nothing was changed", r.StdErr);
        Assert.Equal(4, Count("trials"));
        Assert.Equal(4, Count("sweep_trials"));
        Assert.Equal(1, Count("sweeps"));
        Assert.Equal(0, Count("metrics"));
        Assert.Equal(0, Count("trials WHERE state <> 'pending'"));
    }

    [Fact]
    public void Vacuum_into_another_file_is_refused_before_it_runs_and_leaves_no_file()
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", "SELECT COUNT(*) FROM trials; VACUUM INTO 'copy.db'");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("refused: `query` only reads, and SQLite counts statement 2 (VACUUM INTO 'copy.db') as one that writes", r.StdErr);
        Assert.Contains("Nothing was changed: no statement was run.", r.StdErr);
        Assert.DoesNotContain("readonly database", r.StdErr); // our words, not SQLite's
        Assert.Equal("", r.StdOut); // not even the first statement ran
        Assert.False(File.Exists(_dir.File("copy.db")), "VACUUM INTO left a file behind");
    }

    [Fact]
    public void Changing_the_journal_mode_is_refused_clearly_and_the_database_stays_in_wal_mode()
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", "PRAGMA journal_mode=DELETE");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("refused: `query` only reads, and SQLite counts statement 1 (PRAGMA journal_mode=DELETE) as one that writes (to the database, its settings or another file)", r.StdErr);
        Assert.DoesNotContain("disk I/O error", r.StdErr);
        using var c = Database.OpenReadOnly(_db).Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    [Fact]
    public void A_bad_query_is_bad_input_with_sqlites_message()
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", "SELECT * FROM no_such_table");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("no such table: no_such_table", r.StdErr);
    }

    [Fact]
    public void Results_print_as_a_table_csv_or_json()
    {
        const string sql = "SELECT cell, hidden, state, best_val_loss FROM trial_summary WHERE sweep = 'q' ORDER BY ordinal";

        var table = OrchestratorCli.Run(_dir.Path, "query", sql);
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.StdOut.Trim().Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^cell\s+hidden\s+state\s+best_val_loss$", lines[0]);
        Assert.Matches(@"^gru\s+16\s+pending\s+NULL$", lines[1]);

        var csv = OrchestratorCli.Run(_dir.Path, "query", sql, "--format", "csv");
        Assert.True(csv.ExitCode == 0, csv.ToString());
        Assert.Equal(["cell,hidden,state,best_val_loss", "gru,16,pending,", "gru,24,pending,", "lstm,16,pending,", "lstm,24,pending,"],
            csv.StdOut.TrimEnd('\n').Split('\n'));

        var json = OrchestratorCli.Run(_dir.Path, "query", sql, "--format", "json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var rows = JsonDocument.Parse(json.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal("lstm", rows[3].GetProperty("cell").GetString());
        Assert.Equal(24, rows[3].GetProperty("hidden").GetInt32());
        Assert.Equal(JsonValueKind.Null, rows[3].GetProperty("best_val_loss").ValueKind);
    }

    [Fact]
    public void The_table_shows_whitespace_that_would_read_as_blank_and_csv_keeps_it_as_it_is()
    {
        // What a probe predicts after "peo" is often a space: the table must not show it as nothing.
        var table = OrchestratorCli.Run(_dir.Path, "query",
            "SELECT ' ' AS predicted, 'a b' AS words, '  x ' AS padded, 'a' || char(9) || 'b' AS tab, 'l1' || char(13, 10) || 'l2' AS lines");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Equal(["predicted  words  padded  tab   lines", "␠          a b    ␠␠x␠    a\\tb  l1\\r\\nl2"], table.StdOut.TrimEnd('\n').Split('\n'));

        // (The test reads output by lines, so the line breaks' carriage return is left out here.)
        var csv = OrchestratorCli.Run(_dir.Path, "query", "SELECT ' ' AS predicted, '  x ' AS padded, 'a' || char(9) || 'b' AS tab, 'l1' || char(10) || 'l2' AS lines", "--format", "csv");
        Assert.Equal("predicted,padded,tab,lines\n ,  x ,a\tb,\"l1\nl2\"\n", csv.StdOut);
    }

    [Fact]
    public void Csv_quotes_fields_with_commas_quotes_and_line_breaks()
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", "SELECT 'a,b' AS x, 'say \"hi\"' AS y, 'two' || char(10) || 'lines' AS z", "--format", "csv");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("x,y,z\n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n", r.StdOut);
    }
}
