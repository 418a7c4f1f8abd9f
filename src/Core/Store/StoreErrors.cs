namespace Core.Store;

// What can be wrong with the store as a whole, as data: each names the database (a SQLite file, or a
// PostgreSQL URL without its password), and none says what to type about it (the CLI adds that).

/// <summary>There is no database file at the path named (opening read-only never creates one).</summary>
public sealed class DatabaseNotFoundException(string path) : StoreException($"no results database at {path}");

/// <summary>The database's schema version (<c>PRAGMA user_version</c>) is not the one this build knows.</summary>
public sealed class SchemaVersionException(string path, long version, int latest)
    : StoreException(version > latest
        ? $"{path} has schema version {version}, newer than this tool's {latest}"
        : $"{path} has schema version {version}, older than this tool's {latest}")
{
    public string Path { get; } = path;
    public long Version { get; } = version;
    public int Latest { get; } = latest;
    public bool Newer => Version > Latest;
}

/// <summary>
/// The database has not a single table. Either nothing was ever recorded in it, or (SQLite) its
/// write-ahead log (<c>PATH-wal</c>), which held everything written since the last checkpoint, was
/// deleted. The message, from the engine's dialect, says which can be the case.
/// </summary>
public sealed class EmptyDatabaseException(string message) : StoreException(message);

/// <summary>
/// The PostgreSQL server cannot be reached, or refused the login or the database. The message names
/// the database (password masked), the setting it came from (<c>--db</c>, <c>ORCHESTRATOR_DB</c>, …)
/// and what to change.
/// </summary>
public sealed class DatabaseConnectionException(string message, Exception? inner = null) : StoreException(message, inner);

/// <summary>The engine could not open or read the database named; <see cref="Reason"/> says why.</summary>
public sealed class DatabaseOpenException(string path, string reason, Exception? inner = null)
    : StoreException($"cannot open the database {path}: {reason}", inner)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The database has no sweep of the name asked for (or, when none was named, no sweep at all);
/// <see cref="Known"/> lists those it has.
/// </summary>
public sealed class SweepNotFoundException(string path, string? sweep, IReadOnlyList<string> known)
    : StoreException(known.Count == 0
        ? (sweep is null ? $"the database {path} has no sweeps yet" : $"no sweep named '{sweep}': the database {path} has no sweeps yet")
        : $"no sweep named '{sweep}' in {path}; sweeps there: {string.Join(", ", known.Order(StringComparer.Ordinal))}")
{
    public IReadOnlyList<string> Known { get; } = known;
}

/// <summary>
/// The disk the database is on is full (SQLite error 13, <c>SQLITE_FULL</c>; PostgreSQL 53100). <see cref="File"/>:
/// the SQLite file (its file system is the one to free), null for a PostgreSQL server's. Nothing written before is
/// lost: the transaction that met the full disk was rolled back, and a rerun resumes from the last checkpoint.
/// </summary>
public sealed class DiskFullException(string database, string? file, Exception inner)
    : StoreException(file is not null
        ? $"the disk holding the database {database} is full ({OneLine(inner)})"
        : $"the PostgreSQL server of {database} is out of disk space ({OneLine(inner)}); ask its administrator to free space there", inner)
{
    public string Database { get; } = database;
    public string? File { get; } = file;

    private static string OneLine(Exception e) =>
        (e is Npgsql.PostgresException p ? $"{p.SqlState}: {p.MessageText}" : e.Message).ReplaceLineEndings(" ");
}
