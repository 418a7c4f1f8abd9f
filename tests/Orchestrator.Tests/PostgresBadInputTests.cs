using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A PostgreSQL store that cannot be used: each case exits 2 with a message that names the setting
/// and the fix, and records nothing. Also the settings refused before any connection: a password
/// on the command line, a database file other users may read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Needs", "PostgreSQL")]
public sealed class PostgresBadInputTests : IDisposable
{
    private readonly TestStore _db = TestStore.Create(Backend.Postgres, "bad-input");
    private readonly string _spec;

    public PostgresBadInputTests()
    {
        _spec = TinySweep.Write(_db.Dir, "bad", ["model.hidden: [16, 24]"]);
    }

    public void Dispose() => _db.Dispose();

    private ProcessResult Run(IReadOnlyDictionary<string, string>? env, params string[] args) => OrchestratorCli.Run(_db.Dir.Path, env, args);

    /// <summary>Nothing recorded: the test database has no tables, and no checkpoints were written.</summary>
    private void NothingRecorded()
    {
        Assert.Empty(PostgresServer.Tables(_db.Db));
        Assert.False(Directory.Exists(_db.Dir.File("results/checkpoints")), "checkpoints were written");
    }

    private static void IsBadInput(ProcessResult r, params string[] expected)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        foreach (var e in expected) Assert.Contains(e, r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr); // a message, not a stack trace
    }

    [Fact]
    public void An_unreachable_server_names_the_setting_and_how_to_start_one()
    {
        var url = "postgresql://orchestrator@127.0.0.1:1/orchestrator";
        var run = Run(null, "run", _spec, "--db", url);
        IsBadInput(run, $"cannot reach the PostgreSQL server 127.0.0.1:1 ({url}, from --db)", "deploy/postgres/local-server.sh", "nothing was recorded");
        Assert.False(Directory.Exists(_db.Dir.File("results")), "a results folder was made");

        var status = Run(new Dictionary<string, string> { [StoreLocation.DbVariable] = url }, "status");
        IsBadInput(status, "from ORCHESTRATOR_DB", "cannot reach");
    }

    [Fact]
    public void A_wrong_password_names_where_it_came_from_and_records_nothing()
    {
        var file = _db.Dir.Write("db.url", _db.Db.Replace("orchestrator@", "orchestrator:not-the-password@", StringComparison.Ordinal));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var run = Run(new Dictionary<string, string> { [StoreLocation.DbFileVariable] = file }, "run", _spec);
        IsBadInput(run, "refused the password of user orchestrator", $"correct it where it comes from: ORCHESTRATOR_DB_FILE ({file})");
        Assert.DoesNotContain("not-the-password", run.ToString());
        NothingRecorded();
    }

    [Fact]
    public void No_password_at_all_says_where_to_put_one()
    {
        var run = Run(new Dictionary<string, string> { ["PGPASSFILE"] = "/dev/null", ["PGPASSWORD"] = "" }, "run", _spec, "--db", _db.Db);
        IsBadInput(run, "asks user orchestrator for a password, and none was found", "~/.pgpass", "PGPASSWORD", "ORCHESTRATOR_DB_FILE");
        NothingRecorded();
    }

    [Fact]
    public void A_missing_database_says_how_to_create_it()
    {
        var missing = PostgresServer.UrlOf("orch_test_no_such_database");
        IsBadInput(Run(null, "run", _spec, "--db", missing), "there is no database 'orch_test_no_such_database'", "createdb");
        IsBadInput(Run(null, "query", "SELECT 1", "--db", missing), "there is no database");
    }

    [Fact]
    public void A_password_on_the_command_line_is_refused_before_anything_connects()
    {
        var run = Run(null, "run", _spec, "--db", _db.Db.Replace("orchestrator@", "orchestrator:hunter2@", StringComparison.Ordinal));
        IsBadInput(run, "--db carries a password", "~/.pgpass");
        Assert.DoesNotContain("hunter2", run.ToString());
        NothingRecorded();
    }

    [Fact]
    public void A_database_file_others_may_read_is_refused()
    {
        var file = _db.Dir.Write("db.url", _db.Db);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        IsBadInput(Run(new Dictionary<string, string> { [StoreLocation.DbFileVariable] = file }, "run", _spec),
            $"{file} may be read by other users (mode 0604)", $"chmod 600 {file}");
        NothingRecorded();
    }

    [Fact]
    public void A_query_that_writes_is_refused_with_exit_2_and_changes_nothing()
    {
        Orchestrator.Planning.SweepPlan.Register(_db.Open(), Core.Spec.SpecLoader.Load(_spec));
        IsBadInput(Run(null, "query", "UPDATE trials SET state = 'failed'", "--db", _db.Db),
            "refused: on PostgreSQL `query` runs one SELECT", "starts with 'UPDATE'", "Nothing was run");
        var r = Run(null, "query", "WITH t AS (UPDATE trials SET state = 'failed' RETURNING 1) SELECT COUNT(*) FROM t", "--db", _db.Db);
        IsBadInput(r, "refused: `query` only reads", "read-only transaction", "Nothing was changed");
        Assert.All(new StoreProbe(_db).Trials("bad"), t => Assert.Equal(TrialStates.Pending, t.State));
        IsBadInput(Run(null, "query", "SELECT 1; SELECT 2", "--db", _db.Db), "one statement at a time");
    }

    [Fact]
    public void A_database_without_the_schema_is_reported_as_empty_to_readers_and_a_dry_run_creates_nothing()
    {
        IsBadInput(Run(null, "status", "--db", _db.Db), "has no tables of this tool yet");
        var dry = Run(null, "run", _spec, "--dry-run", "--db", _db.Db);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var ids = Core.Spec.SpecLoader.Load(_spec).Trials.Select(t => t.Id).ToList();
        var lines = dry.StdOut.Split('\n').Take(4).ToList();
        Assert.Equal("sweep bad: 2 trials (dry run, nothing recorded)", lines[0]);
        Assert.Matches(@"^#  trial         model.hidden  state  epoch  step  estimate *$", lines[1]);
        Assert.Matches($@"^0  {ids[0]}  16            new    -      -     \d.* \(measured\) *$", lines[2]);
        Assert.Matches($@"^1  {ids[1]}  24            new    -      -     \d.* \(measured\) *$", lines[3]);
        NothingRecorded();
    }
}
