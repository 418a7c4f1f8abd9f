using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Core.Store.Dialects;

/// <summary>
/// The embedded store: one SQLite file with a WAL journal, a busy timeout and foreign keys on. The
/// write transaction is <c>BEGIN IMMEDIATE</c>, so one writer at a time; the schema version is
/// <c>PRAGMA user_version</c>. Reading works on read-only media (see <see cref="OpenForReading"/>).
/// </summary>
internal sealed class SqliteDialect : Dialect
{
    private const int BusyTimeoutMs = 30_000;

    // SQLite's primary result codes for "this file cannot be used", as opposed to a busy or failing statement.
    private const int SqlitePermission = 3, SqliteReadOnly = 8, SqliteCantOpen = 14, SqliteNotADb = 26;

    /// <summary>
    /// Opened as an unchanging file (SQLite's <c>immutable=1</c>): the way to read a database on
    /// read-only media, where SQLite cannot create the <c>-shm</c> file that WAL readers share.
    /// </summary>
    private readonly bool _immutable;

    public SqliteDialect(StoreLocation location, bool readOnly, bool immutable) : base(location, readOnly)
    {
        _immutable = immutable;
    }

    private string Path => Location.SqlitePath;

    public override string Real => "REAL";
    public override string BigInt => "INTEGER";
    public override string WithoutRowId => " WITHOUT ROWID";

    public override string Json(string column, string path, JsonType type) => $"json_extract({column}, '$.{path}')";

    public override string QueryFunctions => "";

    public override string AllowTrialStates(IReadOnlyList<string> states) => $"""
        PRAGMA writable_schema = ON;
        UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (state IN (''pending'', ''running'', ''completed'', ''failed''))',
                                                    'CHECK (state IN ({string.Join(", ", states.Select(s => $"''{s}''"))}))')
        WHERE type = 'table' AND name = 'trials';
        PRAGMA writable_schema = RESET;
        CREATE TABLE schema_change (x INTEGER);
        DROP TABLE schema_change;
        """;

    public override string SkipLocked(string alias) => "";
    public override string LockRow => "";
    public override string InList(string column, string parameter) => $"{column} IN @{parameter}";

    public override DbConnection Connect()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _immutable ? ImmutableUri(Path) : Path,
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

    public override DbTransaction BeginWrite(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: false);

    internal override void ThrowIfMissing()
    {
        if (!File.Exists(Path)) throw new DatabaseNotFoundException(Path);
    }

    internal override void PrepareForWriting()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var c = Connect();
        c.Execute("PRAGMA journal_mode = WAL;");
    }

    // BEGIN IMMEDIATE (BeginWrite) already admits one migrator at a time.
    internal override void LockSchema(DbConnection c, DbTransaction tx) { }

    internal override long SchemaVersion(DbConnection c, DbTransaction? tx = null) => c.ExecuteScalar<long>("PRAGMA user_version;", transaction: tx);

    internal override void SetSchemaVersion(DbConnection c, DbTransaction tx, int version) => c.Execute($"PRAGMA user_version = {version};", transaction: tx);

    internal override void ProbeWrite(DbConnection c, DbTransaction tx) { }

    internal override long TableCount(DbConnection c) => c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master;");

    private const int SqliteFull = 13;

    internal override DiskFullException? Full(Exception e) =>
        e is SqliteException { SqliteErrorCode: SqliteFull } ? new DiskFullException(Path, Path, e) : null;

    internal override StoreException? Explain(Exception e) =>
        e is SqliteException s && s.SqliteErrorCode is SqliteCantOpen or SqliteReadOnly or SqliteNotADb or SqlitePermission
            ? new DatabaseOpenException(Path, Reason(s), e)
            : null;

    internal override EmptyDatabaseException Empty() =>
        new($"{Path} is empty or lost its write-ahead log: it has no tables (schema version 0). "
            + $"Everything a run records goes to {System.IO.Path.GetFileName(Path)}-wal first; if that file of a crashed run was deleted, what it held is gone");

    /// <summary>
    /// Works on read-only media: when SQLite cannot open the file there the usual way (it needs to
    /// create <c>PATH-shm</c> beside it) and no write-ahead log holds changes, the file is opened
    /// immutable. Throws <see cref="DatabaseNotFoundException"/> or <see cref="DatabaseOpenException"/>
    /// naming the file.
    /// </summary>
    internal override (Dialect Dialect, long Version, long Tables) OpenForReading()
    {
        ThrowIfMissing();
        try
        {
            return base.OpenForReading();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen && !_immutable)
        {
            if (!CanOpenImmutable(Path)) throw new DatabaseOpenException(Path, Reason(e), e);
            return new SqliteDialect(Location, readOnly: true, immutable: true).OpenForReading();
        }
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

    /// <summary>The file as an SQLite URI with <c>immutable=1</c> (only '%', '?' and '#' need escaping in its path).</summary>
    private static string ImmutableUri(string path) =>
        "file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)
        + "?immutable=1";

    /// <summary>SQLite's reason without its "SQLite Error N: '…'." wrapping, plus what the OS said where SQLite keeps it.</summary>
    private static string Reason(SqliteException e)
    {
        var text = e.Message.StartsWith("SQLite Error ", StringComparison.Ordinal) && e.Message.IndexOf('\'') is var q and > 0
            ? e.Message[(q + 1)..].TrimEnd('.').TrimEnd('\'')
            : e.Message;
        return e.SqliteErrorCode == SqliteCantOpen ? $"{text} (it, or the folder it is in, cannot be read or written)" : text;
    }

    /// <summary>
    /// Before anything runs, every statement is compiled and asked whether it writes
    /// (<c>sqlite3_stmt_readonly</c>): one that would change the database, its settings or any other
    /// file (<c>VACUUM INTO</c>, <c>PRAGMA journal_mode=…</c>) refuses the whole query. The read-only
    /// connection and <c>PRAGMA query_only</c> stay as second and third locks. Every statement runs;
    /// the last result with columns is returned.
    /// </summary>
    internal override long RunReadOnly(DbConnection connection, string sql, TimeSpan timeout, Func<DbDataReader, int, long> read, CancellationToken ct)
    {
        var c = (SqliteConnection)connection;
        var withColumns = RefuseWrites(c, sql);
        c.Execute("PRAGMA query_only = ON;");
        using var command = c.CreateCommand();
        command.CommandText = sql;
        // SqliteCommand.Cancel does nothing; sqlite3_interrupt stops the running statement (safe from another thread).
        using var cancel = ct.Register(() => raw.sqlite3_interrupt(c.Handle));
        try
        {
            using var reader = command.ExecuteReader();
            return read(reader, Math.Max(0, withColumns - 1));
        }
        catch (SqliteException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct); // interrupted (sqlite3_interrupt): by the user, or by the timeout
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteReadOnly)
        {
            throw new QueryException("refused: `query` only reads, and a statement tried to write; the read-only connection stopped it. Nothing was changed.");
        }
        catch (SqliteException e) when (!OutagePolicy.IsTransient(e)) // a database that blinks is the outage policy's (ReadOnlyQuery)
        {
            throw new QueryException($"SQL error: {e.Message.Replace("SQLite Error ", "", StringComparison.Ordinal)}");
        }
    }

    /// <summary>Compiles each statement without running it; throws if one does not compile or would write. Returns how many have result columns.</summary>
    private static int RefuseWrites(SqliteConnection c, string sql)
    {
        var rest = sql;
        var withColumns = 0;
        for (var n = 1; !string.IsNullOrWhiteSpace(rest); n++)
        {
            var rc = raw.sqlite3_prepare_v2(c.Handle, rest, out var statement, out var tail);
            using (statement)
            {
                if (rc != raw.SQLITE_OK)
                    throw new QueryException($"SQL error: {rc}: '{raw.sqlite3_errmsg(c.Handle).utf8_to_string()}'. Nothing was run.");
                if (statement is not null && !statement.IsInvalid && raw.sqlite3_column_count(statement) > 0) withColumns++;
                if (statement is not null && !statement.IsInvalid && raw.sqlite3_stmt_readonly(statement) == 0)
                {
                    var text = raw.sqlite3_sql(statement).utf8_to_string().Trim();
                    throw new QueryException($"refused: `query` only reads, and SQLite counts statement {n} ({text}) as one that writes "
                                             + "(to the database, its settings or another file). Nothing was changed: no statement was run.");
                }
            }
            if (tail.Length == rest.Length) break; // nothing compiled (only comments or whitespace left)
            rest = tail;
        }
        return withColumns;
    }
}
