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
}
