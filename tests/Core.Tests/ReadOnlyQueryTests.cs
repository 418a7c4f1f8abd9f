using Core.Config;
using Core.Store;
using Dapper;
using TestSupport;

namespace Core.Tests;

/// <summary>
/// <see cref="ReadOnlyQuery"/> on both engines: reads work, and every way of writing is refused with
/// a <see cref="QueryException"/> that says so, leaving every row as it was. On PostgreSQL also the
/// ways out of a read-only transaction: a second statement, or a setting changed for the next query.
/// </summary>
public sealed class ReadOnlyQueryTests
{
    private static (TestStore Store, Database ReadOnly) Store(Backend backend)
    {
        var store = TestStore.Create(backend, "query");
        var c = new TrialConfig { Model = new ModelConfig { Hidden = 8 } };
        new SweepRepository(store.Open()).Register("s", null, "name: s", [new SweepMember(c.Id(), c.ToCanonicalJson(), 0, "{}", 0)]);
        return (store, store.OpenReadOnly());
    }

    [Theory]
    [InlineData(Backend.Sqlite, "DELETE FROM trials")]
    [InlineData(Backend.Sqlite, "UPDATE trials SET state = 'failed'")]
    [InlineData(Backend.Sqlite, "CREATE TABLE scratch(x INTEGER)")]
    [InlineData(Backend.Postgres, "DELETE FROM trials")]
    [InlineData(Backend.Postgres, "UPDATE trials SET state = 'failed'")]
    [InlineData(Backend.Postgres, "INSERT INTO sweeps(name, created_at, updated_at) VALUES ('x', 'now', 'now')")]
    [InlineData(Backend.Postgres, "DROP TABLE metrics")]
    [InlineData(Backend.Postgres, "CREATE TABLE scratch(x INTEGER)")]
    [InlineData(Backend.Postgres, "WITH gone AS (DELETE FROM trials RETURNING *) SELECT COUNT(*) FROM gone")]
    [InlineData(Backend.Postgres, "DO $$ BEGIN DELETE FROM trials; END $$")]
    [InlineData(Backend.Postgres, "SELECT 1; DELETE FROM trials")]
    [InlineData(Backend.Postgres, "COMMIT; DELETE FROM trials")]
    [InlineData(Backend.Postgres, "SET TRANSACTION READ WRITE; DELETE FROM trials")]
    [InlineData(Backend.Postgres, "COPY (SELECT 1) TO STDOUT")]
    [InlineData(Backend.Postgres, "CALL nothing()")]
    [InlineData(Backend.Postgres, "SELECT set_config('default_transaction_read_only', 'off', false)")]
    public void A_write_is_refused_and_changes_nothing(Backend backend, string sql)
    {
        var (store, db) = Store(backend);
        using (store)
        {
            var before = StoreRows.Of(db);
            var e = Assert.Throws<QueryException>(() => ReadOnlyQuery.Run(db, sql, CancellationToken.None));
            Assert.True(e.Message.Contains("refused", StringComparison.Ordinal) || e.Message.Contains("one statement at a time", StringComparison.Ordinal), e.Message);
            Assert.Contains("Nothing was", e.Message);
            Assert.Equal(before, StoreRows.Of(db));
            using var c = db.Connect();
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT COUNT(*) FROM trials"));
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM trials WHERE state <> 'pending'"));
        }
    }

    [Trait("Needs", "PostgreSQL")]
    [Theory]
    [InlineData("SET default_transaction_read_only = off")]
    [InlineData("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")]
    [InlineData("SET TRANSACTION READ WRITE")]
    [InlineData("COMMIT")]
    [InlineData("ROLLBACK")]
    public void On_postgresql_a_statement_that_tries_to_leave_read_only_mode_does_not_carry_over_to_the_next_query(string escape)
    {
        var (store, db) = Store(Backend.Postgres);
        using (store)
        {
            try { ReadOnlyQuery.Run(db, escape, CancellationToken.None); }
            catch (QueryException) { /* refused outright is fine too */ }
            for (var i = 0; i < 3; i++) // the pool's connections, whichever the next query gets
                Assert.Contains("refused", Assert.Throws<QueryException>(() => ReadOnlyQuery.Run(db, "DELETE FROM trials", CancellationToken.None)).Message);
            using var c = db.Connect();
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT COUNT(*) FROM trials"));
        }
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Reads_return_columns_and_typed_values_and_errors_are_query_errors(Backend backend)
    {
        var (store, db) = Store(backend);
        using (store)
        {
            var r = ReadOnlyQuery.Run(db, "SELECT sweep, hidden, lr, round(lr, 2) AS r, best_val_loss FROM trial_summary", CancellationToken.None);
            Assert.Equal(["sweep", "hidden", "lr", "r", "best_val_loss"], r.Columns);
            var row = Assert.Single(r.Rows);
            Assert.Equal("s", row[0]);
            Assert.Equal(8L, Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(new TrialConfig().Train.Lr, (double)row[2]!);
            Assert.Equal(Math.Round(new TrialConfig().Train.Lr, 2), (double)row[3]!);
            Assert.Null(row[4]);
            Assert.StartsWith("SQL error", Assert.Throws<QueryException>(() => ReadOnlyQuery.Run(db, "SELECT * FROM no_such_table", CancellationToken.None)).Message);
        }
    }

    [Trait("Needs", "PostgreSQL")]
    [Theory]
    [InlineData("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", "pg_terminate_backend()")]
    [InlineData("SELECT * FROM pg_catalog.pg_cancel_backend(1)", "pg_cancel_backend()")]
    [InlineData("WITH x AS (SELECT pid FROM pg_stat_activity) SELECT \"pg_terminate_backend\"(pid) FROM x", "pg_terminate_backend()")]
    [InlineData("SELECT (SELECT pg_advisory_lock(7)) IS NULL", "pg_advisory_lock()")]
    [InlineData("SELECT pg_notify('sweep', 'x')", "pg_notify()")]
    [InlineData("VALUES (pg_advisory_unlock_all())", "pg_advisory_unlock_all()")]
    [InlineData("SELECT 1 LIMIT (SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity)", "pg_cancel_backend()")]
    public void On_postgresql_a_function_with_side_effects_is_refused_before_anything_runs(string sql, string named)
    {
        var (store, db) = Store(Backend.Postgres);
        using (store)
        {
            using var other = store.Open().Connect(); // another session of the same role, as a running sweep's would be
            var e = Assert.Throws<QueryException>(() => ReadOnlyQuery.Run(db, sql, CancellationToken.None));
            Assert.StartsWith("refused: `query` only reads", e.Message);
            Assert.Contains(named, e.Message);
            Assert.Contains("Nothing was run", e.Message);
            Assert.Equal(1, other.ExecuteScalar<long>("SELECT COUNT(*) FROM trials")); // still connected: nothing was terminated
        }
    }

    [Trait("Needs", "PostgreSQL")]
    [Fact]
    public void On_postgresql_functions_that_only_read_or_compute_may_be_called()
    {
        var (store, db) = Store(Backend.Postgres);
        using (store)
        {
            var r = ReadOnlyQuery.Run(db, "SELECT random() < 2 AS r, clock_timestamp() IS NOT NULL AS t, pg_database_size(current_database()) > 0 AS s, " +
                                          "'pg_terminate_backend(1)' AS text, (SELECT COUNT(*) FROM pg_stat_activity) > 0 AS a, round(lr, 2) AS lr FROM trial_summary",
                CancellationToken.None);
            Assert.Equal([true, true, true, "pg_terminate_backend(1)", true, Math.Round(new TrialConfig().Train.Lr, 2)], Assert.Single(r.Rows));
        }
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void A_query_that_runs_past_its_timeout_is_stopped_with_a_clear_error(Backend backend)
    {
        var (store, db) = Store(backend);
        using (store)
        {
            const string endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT COUNT(*) FROM c";
            var e = Assert.Throws<QueryTimeoutException>(() => ReadOnlyQuery.Run(db, endless, TimeSpan.FromSeconds(1), CancellationToken.None));
            Assert.Contains("ran longer than 1 s and was stopped", e.Message);
            Assert.Contains("--timeout", e.Message);
            Assert.Equal(1L, Convert.ToInt64(Assert.Single(ReadOnlyQuery.Run(db, "SELECT COUNT(*) FROM trials", CancellationToken.None).Rows)[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
