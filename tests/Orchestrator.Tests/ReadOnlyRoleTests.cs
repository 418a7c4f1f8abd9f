using Core.Store;
using Dapper;
using Npgsql;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Issue 17 §3 on the real PostgreSQL, through the CLI: the reading commands never migrate, so a
/// role with SELECT rights only runs `status`, `query` and `report`; a role without them is told to
/// grant SELECT, not to create tables. `query` cannot terminate the sweep's connections (a function
/// with side effects is refused), refuses COPY cleanly, and stops at its `--timeout`.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class ReadOnlyRoleTests
{
    [Fact]
    public void A_select_only_role_reads_everything_and_query_neither_signals_nor_copies_nor_runs_forever()
    {
        var db = TestStore.Create(Backend.Postgres, "selectonly");
        PostgresRole? reader = null, nobody = null;
        try
        {
            var dir = db.Dir;
            var spec = TinySweep.Write(dir, "ro", ["model.hidden: [16]"], epochs: 1, maxSteps: 4, parallel: 1);
            var run = OrchestratorCli.Run(dir.Path, "run", spec, "--plain", "--db", db.Db);
            Assert.True(run.ExitCode == 0, run.ToString());

            reader = PostgresRole.Create("reader", "Read-Only-Pw-1");
            reader.GrantSelect(db.Db);
            var env = new Dictionary<string, string> { ["PGPASSWORD"] = reader.Password, ["PGPASSFILE"] = "/dev/null" };
            var url = reader.UrlFor(db.Db);
            foreach (var args in new[] { new[] { "status" }, ["status", "--json"], ["query", "SELECT sweep, state FROM trial_summary"], ["report", "--out", dir.File("report")] })
            {
                var r = OrchestratorCli.Run(dir.Path, env, [.. args, "--db", url]);
                Assert.True(r.ExitCode == 0, $"`{string.Join(' ', args)}` as a SELECT-only role: {r}");
            }
            Assert.True(File.Exists(dir.File("report/report.md")));
            Assert.Contains("completed", OrchestratorCli.Run(dir.Path, env, "query", "SELECT state FROM trial_summary", "--db", url).StdOut);

            nobody = PostgresRole.Create("nobody", "No-Rights-Pw-2");
            var refused = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["PGPASSWORD"] = nobody.Password, ["PGPASSFILE"] = "/dev/null" },
                "status", "--db", nobody.UrlFor(db.Db));
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("need only SELECT on the tool's tables", refused.StdErr);
            Assert.Contains($"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {nobody.Name}", refused.StdErr);
            Assert.DoesNotContain("create tables", refused.StdErr);

            // The sweep's own role: it could signal its own sessions, were the function not refused.
            var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(db.Db, "test", commandLine: false).Value) { Pooling = false };
            using var sweepSession = new NpgsqlConnection(b.ConnectionString);
            sweepSession.Open();
            var terminate = OrchestratorCli.Run(dir.Path, "query", "--db", db.Db,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
            Assert.True(terminate.ExitCode == 2, terminate.ToString());
            Assert.Contains("error: refused: `query` only reads, and this statement calls pg_terminate_backend()", terminate.StdErr);
            Assert.Equal(1, sweepSession.ExecuteScalar<int>("SELECT 1")); // still connected

            var copy = OrchestratorCli.Run(dir.Path, "query", "--db", db.Db, "COPY (SELECT 1) TO STDOUT");
            Assert.True(copy.ExitCode == 2, copy.ToString());
            Assert.Contains("error: refused: on PostgreSQL `query` runs one SELECT", copy.StdErr);
            Assert.Contains("--format csv", copy.StdErr);
            Assert.DoesNotContain("   at ", copy.StdErr);

            var endless = OrchestratorCli.Run(dir.Path, "query", "--db", db.Db, "--timeout", "1",
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT COUNT(*) FROM c");
            Assert.True(endless.ExitCode == 2, endless.ToString());
            Assert.Contains("error: the query ran longer than 1 s and was stopped", endless.StdErr);
        }
        finally
        {
            db.Dispose();
            reader?.Dispose();
            nobody?.Dispose();
        }
    }
}
