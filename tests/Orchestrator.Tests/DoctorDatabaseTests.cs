using System.Text.Json;
using Core.Store;
using Dapper;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// doctor's database check on PostgreSQL, run as a user runs it: it connects, takes the write
/// transaction and the schema lock and rolls back, so a fresh database stays empty; it shows the
/// database masked; and what would stop `run` from writing (a read-only database, a server that
/// cannot be reached, a password on the command line) fails the check, exit 1, naming the setting.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class DoctorDatabaseTests : IDisposable
{
    private readonly TestStore _db = TestStore.Create(Backend.Postgres, "doctor");
    private readonly string _spec;

    public DoctorDatabaseTests()
    {
        _spec = TinySweep.Write(_db.Dir, "doc", ["model.hidden: [16]"]);
    }

    public void Dispose() => _db.Dispose();

    private (ProcessResult Result, JsonElement Check, JsonElement Report) Doctor(IReadOnlyDictionary<string, string>? env, params string[] db)
    {
        var r = OrchestratorCli.Run(_db.Dir.Path, env, ["doctor", _spec, "--json", "--steps", "0", .. db]);
        JsonElement report;
        try { report = JsonDocument.Parse(r.StdOut).RootElement.Clone(); }
        catch (JsonException) { throw new Xunit.Sdk.XunitException($"doctor --json did not print JSON\n{r}"); }
        var check = report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
        return (r, check, report);
    }

    private static string Finding(JsonElement check) => check.GetProperty("finding").GetString()!;

    [Fact]
    public void A_fresh_database_is_found_writable_and_stays_empty_then_a_migrated_one_too_unchanged()
    {
        var (r, check, _) = Doctor(null, "--db", _db.Db);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok", check.GetProperty("status").GetString());
        Assert.Equal($"{_db.Db} is writable; `run` creates its tables (schema version {Schema.LatestVersion})", Finding(check));
        var details = check.GetProperty("details");
        Assert.Equal(("postgresql", _db.Db, "--db", 0), (details.GetProperty("engine").GetString(), details.GetProperty("database").GetString(),
            details.GetProperty("setting").GetString(), details.GetProperty("schema_version").GetInt32()));
        Assert.Empty(PostgresServer.Tables(_db.Db)); // the schema lock's table was rolled back with the rest

        Orchestrator.Planning.SweepPlan.Register(_db.Open(), Core.Spec.SpecLoader.Load(_spec));
        var before = string.Join('\n', StoreRows.Of(_db.OpenReadOnly()));
        (r, check, _) = Doctor(new Dictionary<string, string> { [StoreLocation.DbVariable] = _db.Db });

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{_db.Db} is writable", Finding(check));
        Assert.Equal((StoreLocation.DbVariable, Schema.LatestVersion), (check.GetProperty("details").GetProperty("setting").GetString(),
            check.GetProperty("details").GetProperty("schema_version").GetInt32()));
        Assert.Equal(before, string.Join('\n', StoreRows.Of(_db.OpenReadOnly())));
    }

    [Fact]
    public void A_database_that_only_reads_fails_the_check_though_it_connects()
    {
        Orchestrator.Planning.SweepPlan.Register(_db.Open(), Core.Spec.SpecLoader.Load(_spec));
        var name = _db.Db[(_db.Db.LastIndexOf('/') + 1)..];
        PostgresServer.Admin(c => c.Execute($"ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"));

        var (r, check, report) = Doctor(null, "--db", _db.Db);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["database"], report.GetProperty("failed").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith($"{_db.Db} cannot be written: 25006: cannot execute", Finding(check));
        Assert.Contains("in a read-only transaction", Finding(check));
        var plain = OrchestratorCli.Run(_db.Dir.Path, "doctor", _spec, "--steps", "0", "--db", _db.Db);
        Assert.Contains("error: a run would fail: database (see above)", plain.StdErr);
    }

    [Fact]
    public void A_server_that_cannot_be_reached_or_a_password_on_the_command_line_fails_the_check_naming_the_setting()
    {
        var unreachable = "postgresql://orchestrator@127.0.0.1:1/orchestrator";
        var (r, check, _) = Doctor(null, "--db", unreachable);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"cannot reach the PostgreSQL server 127.0.0.1:1 ({unreachable}, from --db)", Finding(check));
        Assert.Contains("deploy/postgres/local-server.sh", Finding(check));

        (r, check, _) = Doctor(null, "--db", _db.Db.Replace("orchestrator@", "orchestrator:hunter2@", StringComparison.Ordinal));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--db carries a password", Finding(check));
        Assert.Equal("--db", check.GetProperty("details").GetProperty("setting").GetString());
        Assert.DoesNotContain("hunter2", r.ToString());
        Assert.Empty(PostgresServer.Tables(_db.Db));
    }
}
