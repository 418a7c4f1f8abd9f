using Dapper;
using Microsoft.Data.Sqlite;

namespace Core.Store;

/// <summary>
/// The SQLite file that is the single source of truth. Opens connections with WAL, a busy timeout
/// and foreign keys on, and brings the schema forward on first open. Paths recorded in the store
/// (checkpoints) are relative to <see cref="Folder"/> so a results folder can be moved whole.
/// </summary>
public sealed class Database
{
    public const string DefaultPath = "results/orchestrator.db";
    private const int BusyTimeoutMs = 30_000;

    static Database()
    {
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private Database(string path, bool readOnly)
    {
        Path = System.IO.Path.GetFullPath(path);
        ReadOnly = readOnly;
    }

    public string Path { get; }
    public bool ReadOnly { get; }
    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>Opens (creating if needed) a database for writing and migrates it to the latest schema.</summary>
    public static Database Open(string path)
    {
        var db = new Database(path, readOnly: false);
        Directory.CreateDirectory(db.Folder);
        using var c = db.Connect();
        c.Execute("PRAGMA journal_mode = WAL;");
        Migrate(c, db.Path);
        return db;
    }

    /// <summary>Opens an existing database read-only; a write through it fails. Throws <see cref="StoreException"/> if missing.</summary>
    public static Database OpenReadOnly(string path)
    {
        var db = new Database(path, readOnly: true);
        if (!File.Exists(db.Path))
            throw new StoreException($"no results database at {db.Path} (run `orchestrator run SPEC` first, or pass --db PATH)");
        using var c = db.Connect();
        var version = c.ExecuteScalar<long>("PRAGMA user_version;");
        if (version > Schema.LatestVersion)
            throw new StoreException($"{db.Path} has schema version {version}, newer than this tool's {Schema.LatestVersion}; update the tool");
        if (version < Schema.LatestVersion)
            throw new StoreException($"{db.Path} has schema version {version}; open it once for writing (any `orchestrator run`) to migrate it to {Schema.LatestVersion}");
        return db;
    }

    /// <summary>A new open connection; dispose it after use. Pooled, so cheap.</summary>
    public SqliteConnection Connect()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = BusyTimeoutMs / 1000,
            ForeignKeys = true,
            Pooling = true,
        };
        var c = new SqliteConnection(builder.ToString());
        c.Open();
        c.Execute($"PRAGMA busy_timeout = {BusyTimeoutMs};");
        if (!ReadOnly) c.Execute("PRAGMA synchronous = NORMAL;");
        return c;
    }

    /// <summary>Absolute path of a path stored relative to the database's folder.</summary>
    public string Resolve(string storedPath) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, storedPath));

    /// <summary>The form of <paramref name="absolutePath"/> to store: relative to the database's folder.</summary>
    public string Relativize(string absolutePath) => System.IO.Path.GetRelativePath(Folder, absolutePath);

    private static void Migrate(SqliteConnection c, string path)
    {
        using var tx = c.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: one migrator at a time
        var version = c.ExecuteScalar<long>("PRAGMA user_version;", transaction: tx);
        if (version > Schema.LatestVersion)
            throw new StoreException($"{path} has schema version {version}, newer than this tool's {Schema.LatestVersion}; update the tool");
        for (var v = (int)version; v < Schema.LatestVersion; v++)
        {
            c.Execute(Schema.Migrations[v], transaction: tx);
            c.Execute($"PRAGMA user_version = {v + 1};", transaction: tx);
        }
        tx.Commit();
    }

    // The repositories' timestamps come from the one helper (these two only forward to it).
    internal static string Now() => Timestamps.Now();
    internal static double UnixNow() => Timestamps.UnixNow();
}

/// <summary>A problem with the store that the user can act on (missing file, wrong version, lost lease).</summary>
public sealed class StoreException(string message) : Exception(message);
