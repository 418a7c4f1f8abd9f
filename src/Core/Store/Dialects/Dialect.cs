using System.Data.Common;

namespace Core.Store.Dialects;

/// <summary>The type a <c>trial_summary</c> column read out of the trial's config JSON has.</summary>
internal enum JsonType
{
    Text,
    Integer,
    Real,
}

/// <summary>
/// Everything that differs between the store's two engines, and only that: opening connections,
/// the write transaction, the schema version and its lock, the few SQL words that are not the same
/// (column types, <c>WITHOUT ROWID</c>, JSON access, row locks, list parameters), what their errors
/// mean, and how a query is kept read-only. Every other statement of the store is one SQL text that
/// runs on both (<c>ON CONFLICT … DO UPDATE</c>, <c>RETURNING</c>, subqueries, <c>LIMIT</c>). One
/// instance per opened <see cref="Database"/>. See docs/store.md.
/// </summary>
internal abstract class Dialect
{
    private protected Dialect(StoreLocation location, bool readOnly)
    {
        Location = location;
        ReadOnly = readOnly;
    }

    public StoreLocation Location { get; }
    public bool ReadOnly { get; }

    // --- schema text -----------------------------------------------------------------------------

    /// <summary>A 64-bit float column: <c>REAL</c> / <c>DOUBLE PRECISION</c>.</summary>
    public abstract string Real { get; }

    /// <summary>A 64-bit integer column: <c>INTEGER</c> (SQLite's are 64-bit) / <c>BIGINT</c>.</summary>
    public abstract string BigInt { get; }

    /// <summary>What follows a keyed table's closing parenthesis: <c> WITHOUT ROWID</c> / nothing.</summary>
    public abstract string WithoutRowId { get; }

    /// <summary>The value at <paramref name="path"/> (dotted, e.g. <c>model.hidden</c>) of a JSON text column, as <paramref name="type"/>.</summary>
    public abstract string Json(string column, string path, JsonType type);

    /// <summary>Functions the other engine has and people's queries use, created with the schema (PostgreSQL: SQLite's <c>round(x, n)</c> on floats).</summary>
    public abstract string QueryFunctions { get; }

    /// <summary>
    /// Statements that let <c>trials.state</c> take <paramref name="states"/> (its CHECK constraint,
    /// from migration 1, replaced). PostgreSQL drops and adds the named constraint; SQLite, which
    /// cannot alter a constraint, edits the table's stored definition (widening a CHECK changes no
    /// stored row: SQLite's documented way for it) and then changes the schema, so that every
    /// connection reads the new definition.
    /// </summary>
    public abstract string AllowTrialStates(IReadOnlyList<string> states);

    // --- statements ------------------------------------------------------------------------------

    /// <summary>
    /// Ends the SELECT that picks the trial to claim: PostgreSQL locks the row it returns and passes
    /// over rows another claimer holds (<c>FOR NO KEY UPDATE OF alias SKIP LOCKED</c>); SQLite needs
    /// nothing, as its write transaction already excludes every other writer.
    /// </summary>
    public abstract string SkipLocked(string alias);

    /// <summary>Ends a SELECT whose row the transaction goes on to change, so nobody changes it in between (SQLite: nothing needed).</summary>
    public abstract string LockRow { get; }

    /// <summary><paramref name="column"/> is one of the list parameter <paramref name="parameter"/> (Dapper expands it on SQLite, sends an array to PostgreSQL).</summary>
    public abstract string InList(string column, string parameter);

    // --- connections and transactions ------------------------------------------------------------

    /// <summary>A new open connection (pooled).</summary>
    public abstract DbConnection Connect();

    /// <summary>After a transient error: drops the idle connections kept for reuse, which the outage most likely broke too (PostgreSQL's pool).</summary>
    internal virtual void ForgetConnections() { }

    /// <summary>Begins a transaction that writes: SQLite takes the write lock at once (<c>BEGIN IMMEDIATE</c>); PostgreSQL's rows lock as they are changed.</summary>
    public abstract DbTransaction BeginWrite(DbConnection c);

    /// <summary>
    /// Throws <see cref="DatabaseNotFoundException"/> when the store is not there (SQLite: no file at its
    /// path); a PostgreSQL database that does not exist is reported when a connection is opened.
    /// </summary>
    internal virtual void ThrowIfMissing() { }

    /// <summary>Prepares a new or existing store for writing before it is migrated (SQLite: the folder and WAL).</summary>
    internal abstract void PrepareForWriting();

    // --- schema version --------------------------------------------------------------------------

    /// <summary>Serializes migrators: held until <paramref name="tx"/> ends (SQLite: the write transaction itself; PostgreSQL: an advisory lock).</summary>
    internal abstract void LockSchema(DbConnection c, DbTransaction tx);

    /// <summary>The schema version recorded in the store; 0 for a store that has none yet.</summary>
    internal abstract long SchemaVersion(DbConnection c, DbTransaction? tx = null);

    internal abstract void SetSchemaVersion(DbConnection c, DbTransaction tx, int version);

    /// <summary>
    /// Inside <paramref name="tx"/>, which the caller rolls back, what a writer's first changes need
    /// beyond the write transaction and the schema lock (SQLite: nothing more; <c>BEGIN IMMEDIATE</c>
    /// took the write lock. PostgreSQL: a row of <c>schema_version</c> rewritten as it is, which a
    /// read-only server or a user without the right to write refuses).
    /// </summary>
    internal abstract void ProbeWrite(DbConnection c, DbTransaction tx);

    /// <summary>How many tables the store has (0: nothing was ever created in it).</summary>
    internal abstract long TableCount(DbConnection c);

    /// <summary>
    /// Reads an existing store's schema version and table count on one connection of this read-only
    /// dialect; returns them with the dialect to read the store with from then on (this one, or for
    /// a SQLite file on read-only media one that opens it immutable).
    /// </summary>
    internal virtual (Dialect Dialect, long Version, long Tables) OpenForReading()
    {
        using var c = Connect();
        return (this, SchemaVersion(c), TableCount(c));
    }

    // --- errors ----------------------------------------------------------------------------------

    /// <summary>
    /// What <paramref name="e"/>, thrown while opening the store, means for the user (a store that
    /// cannot be reached, read or logged into), as a <see cref="StoreException"/> naming the setting
    /// and the fix; null when it is not such an error.
    /// </summary>
    internal abstract StoreException? Explain(Exception e);

    /// <summary>The disk under the store is full (<see cref="DiskFullException"/>), as this engine says it; null for other errors.</summary>
    internal abstract DiskFullException? Full(Exception e);

    /// <summary>An empty store (no tables), described for this engine.</summary>
    internal abstract EmptyDatabaseException Empty();

    // --- read-only queries -----------------------------------------------------------------------

    /// <summary>
    /// Runs the user's <paramref name="sql"/> so that it cannot write, for at most <paramref name="timeout"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: no limit; <paramref name="ct"/> is cancelled when it
    /// passes), hands the reader and the index of the last result with columns to <paramref name="read"/>,
    /// and turns the engine's refusals and SQL errors into <see cref="QueryException"/>s. The connection
    /// comes from a read-only <see cref="Database"/>.
    /// </summary>
    internal abstract long RunReadOnly(DbConnection c, string sql, TimeSpan timeout, Func<DbDataReader, int, long> read, CancellationToken ct);

    internal static Dialect For(StoreLocation location, bool readOnly) => location.Kind switch
    {
        StoreKind.Sqlite => new SqliteDialect(location, readOnly, immutable: false),
        StoreKind.Postgres => new PostgresDialect(location, readOnly),
        _ => throw new ArgumentOutOfRangeException(nameof(location)),
    };
}
