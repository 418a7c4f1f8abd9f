using Core.Store;

namespace TestSupport;

/// <summary>The engines a store test runs against.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh, empty store for one test, on either engine, with a results folder of its own: SQLite
/// <c>results/orchestrator.db</c> in a temp folder, or a new PostgreSQL database (dropped on
/// dispose). <see cref="Db"/> is what a user passes as <c>--db</c>.
/// </summary>
public sealed class TestStore : IDisposable
{
    private TestStore(Backend backend, TempDir dir, string db)
    {
        Backend = backend;
        Dir = dir;
        Db = db;
    }

    public Backend Backend { get; }

    /// <summary>The test's folder (its results folder is <see cref="Results"/>).</summary>
    public TempDir Dir { get; }

    /// <summary>The database as <c>--db</c> takes it: a file path, or a postgresql:// URL (no password).</summary>
    public string Db { get; }

    public string Results => Dir.File("results");

    public static TestStore Create(Backend backend, string prefix = "store")
    {
        var dir = new TempDir(prefix);
        try
        {
            return backend == Backend.Sqlite
                ? new TestStore(backend, dir, dir.File("results/orchestrator.db"))
                : new TestStore(backend, dir, PostgresServer.CreateDatabase(prefix.Replace('-', '_')));
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    public Database Open() => Database.Open(Db, Results);

    public Database OpenReadOnly() => Database.OpenReadOnly(Db, Results);

    /// <summary>The <c>--db</c> option for a CLI call.</summary>
    public string[] DbOption => ["--db", Db];

    public void Dispose()
    {
        try
        {
            if (Backend == Backend.Postgres) PostgresServer.DropDatabase(Db);
        }
        finally
        {
            if (Backend == Backend.Sqlite) Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Dir.Dispose();
        }
    }
}
