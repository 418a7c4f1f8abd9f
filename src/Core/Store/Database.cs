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
    private const int BusyTimeoutMs = 30_000;

    static Database()
    {
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private Database(string path, bool readOnly, bool immutable = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        ReadOnly = readOnly;
        Immutable = immutable;
    }

    public string Path { get; }
    public bool ReadOnly { get; }
    /// <summary>
    /// Opened as an unchanging file (SQLite's <c>immutable=1</c>): the way to read a database on
    /// read-only media, where SQLite cannot create the <c>-shm</c> file that WAL readers share.
    /// </summary>
    private bool Immutable { get; }
    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>Opens (creating if needed) a database for writing and migrates it to the latest schema.</summary>
    public static Database Open(string path)
    {
        var db = new Database(path, readOnly: false);
        Directory.CreateDirectory(db.Folder);
        try
        {
            using var c = db.Connect();
            c.Execute("PRAGMA journal_mode = WAL;");
            Migrate(c, db.Path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCantOpen or SqliteReadOnly or SqliteNotADb or SqlitePermission)
        {
            throw new DatabaseOpenException(db.Path, Reason(e), e);
        }
        return db;
    }

    /// <summary>
    /// Opens an existing database read-only; a write through it fails. Works on read-only media: when
    /// SQLite cannot open the file there the usual way (it needs to create <c>PATH-shm</c> beside it)
    /// and no write-ahead log holds changes, the file is opened immutable. Throws a
    /// <see cref="StoreException"/> that names the file: <see cref="DatabaseNotFoundException"/>,
    /// <see cref="EmptyDatabaseException"/>, <see cref="SchemaVersionException"/> or <see cref="DatabaseOpenException"/>.
    /// </summary>
    public static Database OpenReadOnly(string path)
    {
        var db = new Database(path, readOnly: true);
        if (!File.Exists(db.Path)) throw new DatabaseNotFoundException(db.Path);
        long version;
        try
        {
            version = db.UserVersion();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen)
        {
            if (!CanOpenImmutable(db.Path)) throw new DatabaseOpenException(db.Path, Reason(e), e);
            db = new Database(path, readOnly: true, immutable: true);
            version = db.UserVersion();
        }
        if (version == 0 && db.TableCount() == 0) throw new EmptyDatabaseException(db.Path);
        if (version != Schema.LatestVersion) throw new SchemaVersionException(db.Path, version, Schema.LatestVersion);
        return db;
    }

    /// <summary>
    /// Immutable skips the write-ahead log, so it is right only when there is none to read and nobody
    /// is writing: no <c>-shm</c> (a live writer keeps one) and no <c>-wal</c> with changes in it.
    /// </summary>
    private static bool CanOpenImmutable(string path)
    {
        var wal = new FileInfo(path + "-wal");
        if (wal.Exists && wal.Length > 0)
            throw new DatabaseOpenException(path, $"its write-ahead log {wal.FullName} holds changes that are not in the database file yet, " +
                                                  $"and SQLite cannot read them without creating {path}-shm in a folder it cannot write; copy the folder somewhere writable to read it");
        return !File.Exists(path + "-shm");
    }

    private long UserVersion() => Read(c => c.ExecuteScalar<long>("PRAGMA user_version;"));

    private long TableCount() => Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master;"));

    private T Read<T>(Func<SqliteConnection, T> read)
    {
        try
        {
            using var c = Connect();
            return read(c);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADb or SqlitePermission || (e.SqliteErrorCode == SqliteCantOpen && Immutable))
        {
            throw new DatabaseOpenException(Path, Reason(e), e);
        }
    }

    /// <summary>A new open connection; dispose it after use. Pooled, so cheap.</summary>
    public SqliteConnection Connect()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Immutable ? ImmutableUri(Path) : Path,
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

    /// <summary>The file as an SQLite URI with <c>immutable=1</c> (only '%', '?' and '#' need escaping in its path).</summary>
    private static string ImmutableUri(string path) =>
        "file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)
        + "?immutable=1";

    // SQLite's primary result codes for "this file cannot be used", as opposed to a busy or failing statement.
    private const int SqlitePermission = 3, SqliteReadOnly = 8, SqliteCantOpen = 14, SqliteNotADb = 26;

    /// <summary>SQLite's reason without its "SQLite Error N: '…'." wrapping, plus what the OS said where SQLite keeps it.</summary>
    private static string Reason(SqliteException e)
    {
        var text = e.Message.StartsWith("SQLite Error ", StringComparison.Ordinal) && e.Message.IndexOf('\'') is var q and > 0
            ? e.Message[(q + 1)..].TrimEnd('.').TrimEnd('\'')
            : e.Message;
        return e.SqliteErrorCode == SqliteCantOpen ? $"{text} (it, or the folder it is in, cannot be read or written)" : text;
    }

    /// <summary>Absolute path of a path stored relative to the database's folder.</summary>
    public string Resolve(string storedPath) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, storedPath));

    /// <summary>The form of <paramref name="absolutePath"/> to store: relative to the database's folder.</summary>
    public string Relativize(string absolutePath) => System.IO.Path.GetRelativePath(Folder, absolutePath);

    private static void Migrate(SqliteConnection c, string path)
    {
        using var tx = c.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: one migrator at a time
        var version = c.ExecuteScalar<long>("PRAGMA user_version;", transaction: tx);
        if (version > Schema.LatestVersion) throw new SchemaVersionException(path, version, Schema.LatestVersion);
        for (var v = (int)version; v < Schema.LatestVersion; v++)
        {
            c.Execute(Schema.Migrations[v], transaction: tx);
            c.Execute($"PRAGMA user_version = {v + 1};", transaction: tx);
        }
        tx.Commit();
    }
}

/// <summary>A problem with the store that the user can act on (missing file, wrong version, lost lease).</summary>
public class StoreException(string message, Exception? inner = null) : Exception(message, inner);
