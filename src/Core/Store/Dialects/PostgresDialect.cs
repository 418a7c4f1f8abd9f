using System.Data.Common;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace Core.Store.Dialects;

/// <summary>
/// A PostgreSQL store, shared by processes on many hosts. Connections come from Npgsql's pool for
/// the connection string (bounded, see <see cref="PostgresLocation.MaxPoolSize"/>); a read-only store's
/// connections start every transaction read-only. Claims lock the row they take and pass over rows
/// other claimers hold (<c>FOR NO KEY UPDATE … SKIP LOCKED</c>); the schema version lives in the
/// table <c>schema_version</c>, and migrators queue on a transaction-scoped advisory lock, so many
/// workers opening a fresh database at once create its schema exactly once.
/// </summary>
internal sealed class PostgresDialect : Dialect
{
    /// <summary>The advisory lock migrators take (any constant; "orchestr" in ASCII).</summary>
    private const long SchemaLockKey = 0x6F72636865737472;

    private readonly string _connectionString;

    public PostgresDialect(StoreLocation location, bool readOnly) : base(location, readOnly)
    {
        var b = new NpgsqlConnectionStringBuilder(location.Value);
        // Every transaction of a reading store is read-only, unless a statement changes that inside
        // its own transaction (which ReadOnly queries cannot: see RunReadOnly).
        if (readOnly) b.Options = $"{b.Options} -c default_transaction_read_only=on".Trim();
        _connectionString = b.ConnectionString;
    }

    public override string Real => "DOUBLE PRECISION";
    public override string BigInt => "BIGINT";
    public override string WithoutRowId => "";

    public override string Json(string column, string path, JsonType type)
    {
        var text = $"({column}::jsonb #>> '{{{path.Replace('.', ',')}}}')";
        return type switch
        {
            JsonType.Integer => $"{text}::bigint",
            JsonType.Real => $"{text}::double precision",
            _ => text,
        };
    }

    /// <summary><c>round(x, n)</c> on double precision, as SQLite has it, so the README's queries run on both.</summary>
    public override string QueryFunctions => """
        CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision
            LANGUAGE SQL IMMUTABLE STRICT AS 'SELECT round($1::numeric, $2)::double precision';
        """;

    public override string AllowTrialStates(IReadOnlyList<string> states) => $"""
        ALTER TABLE trials DROP CONSTRAINT trials_state_check;
        ALTER TABLE trials ADD CONSTRAINT trials_state_check CHECK (state IN ({string.Join(", ", states.Select(s => $"'{s}'"))}));
        """;

    public override string SkipLocked(string alias) => $" FOR NO KEY UPDATE OF {alias} SKIP LOCKED";
    public override string LockRow => " FOR NO KEY UPDATE";
    public override string InList(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override DbConnection Connect()
    {
        var c = new NpgsqlConnection(_connectionString);
        try
        {
            c.Open();
        }
        catch
        {
            c.Dispose();
            throw;
        }
        return c;
    }

    internal override void ForgetConnections()
    {
        using var c = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(c);
    }

    public override DbTransaction BeginWrite(DbConnection c) => ((NpgsqlConnection)c).BeginTransaction();

    internal override void PrepareForWriting() { }

    internal override void LockSchema(DbConnection c, DbTransaction tx)
    {
        c.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = SchemaLockKey }, tx);
        c.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", transaction: tx);
    }

    internal override long SchemaVersion(DbConnection c, DbTransaction? tx = null) =>
        c.ExecuteScalar<bool>("SELECT to_regclass('schema_version') IS NOT NULL", transaction: tx)
            ? c.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version", transaction: tx)
            : 0;

    internal override void SetSchemaVersion(DbConnection c, DbTransaction tx, int version)
    {
        c.Execute("DELETE FROM schema_version", transaction: tx);
        c.Execute("INSERT INTO schema_version(version) VALUES (@version)", new { version }, tx);
    }

    internal override void ProbeWrite(DbConnection c, DbTransaction tx) =>
        c.Execute("UPDATE schema_version SET version = version", transaction: tx);

    internal override long TableCount(DbConnection c) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()");

    internal override EmptyDatabaseException Empty() =>
        new($"the PostgreSQL database {Location.Display} has no tables of this tool yet (schema version 0)");

    internal override DiskFullException? Full(Exception e) =>
        e is PostgresException { SqlState: "53100" } ? new DiskFullException(Location.Display, null, e) : null;

    internal override StoreException? Explain(Exception e)
    {
        var b = new NpgsqlConnectionStringBuilder(Location.Value);
        var server = $"{b.Host}:{b.Port}";
        var user = b.Username ?? Environment.UserName;
        string? message = e switch
        {
            PostgresException { SqlState: "28P01" } =>
                $"PostgreSQL at {server} refused the password of user {user} ({Location.Display}, from {Location.Origin}); " +
                $"correct it where it comes from: {PasswordSource()}",
            PostgresException { SqlState: "28000" } p =>
                $"PostgreSQL at {server} refused user {user}: {p.MessageText}; fix the user in {Location.Origin} ({Location.Display}), or ask the server's administrator to let it in (pg_hba.conf)",
            PostgresException { SqlState: "3D000" } =>
                $"there is no database '{b.Database}' on the PostgreSQL server {server} ({Location.Display}, from {Location.Origin}); " +
                $"create it (`createdb -h {b.Host} -p {b.Port} -U {user} {b.Database}`) or correct the name",
            PostgresException { SqlState: "42501" } p when ReadOnly =>
                $"user {user} may not read {Location.Display}: {p.MessageText}; the reading commands (status, query, report) need only SELECT " +
                $"on the tool's tables: have the database's owner run `GRANT USAGE ON SCHEMA public TO {user}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}`",
            PostgresException { SqlState: "42501" } p =>
                $"user {user} may not do this in {Location.Display}: {p.MessageText}; grant it the right to create tables there, or use a database it owns",
            NpgsqlException n when n.Message.Contains("No password has been provided", StringComparison.Ordinal) =>
                $"PostgreSQL at {server} asks user {user} for a password, and none was found ({Location.Display}, from {Location.Origin}); " +
                $"add the line '{b.Host}:{b.Port}:{b.Database}:{user}:PASSWORD' to ~/.pgpass (chmod 600) or to the file PGPASSFILE names, " +
                $"or set {StoreLocation.PasswordVariable}, or put postgresql://{user}:PASSWORD@{b.Host}:{b.Port}/{b.Database} " +
                $"into a file only you can read and name it in {StoreLocation.DbFileVariable}",
            NpgsqlException n when n is not PostgresException && (n.InnerException is SocketException or TimeoutException or IOException
                                                                  || n.Message.StartsWith("Failed to connect", StringComparison.Ordinal)
                                                                  || n.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase)) =>
                $"cannot reach the PostgreSQL server {server} ({Location.Display}, from {Location.Origin}): {OneLine(n)}; " +
                "check the host and port, and that the server runs (deploy/postgres/local-server.sh starts one on this machine)",
            SocketException s =>
                $"cannot reach the PostgreSQL server {server} ({Location.Display}, from {Location.Origin}): {s.Message}; " +
                "check the host and port, and that the server runs (deploy/postgres/local-server.sh starts one on this machine)",
            _ => null,
        };
        return message is null ? null : new DatabaseConnectionException(message, e);
    }

    /// <summary>Where the password came from, as the user should look for it.</summary>
    private string PasswordSource()
    {
        if (Location.HasPassword) return Location.Origin;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StoreLocation.PasswordVariable))) return $"the environment variable {StoreLocation.PasswordVariable}";
        var passfile = Environment.GetEnvironmentVariable("PGPASSFILE");
        return string.IsNullOrEmpty(passfile) ? "~/.pgpass" : $"{passfile} (PGPASSFILE)";
    }

    private static string OneLine(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({i.Message})" : "";
        return (e.Message + inner).ReplaceLineEndings(" ");
    }

    /// <summary>
    /// Runs the query as one statement (a batch command: PostgreSQL's extended protocol refuses a
    /// second statement in it, so nothing can end the transaction and go on) in a READ ONLY
    /// transaction, on a connection whose transactions start read-only, and rolls it back. A write
    /// fails with SQLSTATE 25006 before it changes anything. Before it runs, <see cref="PostgresQueryGuard"/>
    /// refuses a statement that is not a SELECT or whose plan calls a function with side effects;
    /// <c>statement_timeout</c> bounds both.
    /// </summary>
    internal override long RunReadOnly(DbConnection connection, string sql, TimeSpan timeout, Func<DbDataReader, int, long> read, CancellationToken ct)
    {
        PostgresQueryGuard.RequireSelect(sql);
        var c = (NpgsqlConnection)connection;
        using var tx = c.BeginTransaction();
        c.Execute("SET TRANSACTION READ ONLY", transaction: tx);
        var ms = timeout == Timeout.InfiniteTimeSpan ? 0 : Math.Max(1, (long)timeout.TotalMilliseconds);
        c.Execute($"SET LOCAL statement_timeout = {ms}", transaction: tx);
        using var batch = new NpgsqlBatch(c, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        using var cancel = ct.Register(() => batch.Cancel());
        try
        {
            PostgresQueryGuard.RefuseSideEffects(c, tx, sql);
            using var reader = batch.ExecuteReader();
            return read(reader, 0);
        }
        catch (PostgresException e) when (e.SqlState == "25006")
        {
            throw new QueryException($"refused: `query` only reads, and the statement tried to write ({e.MessageText}); " +
                                     "it ran in a read-only transaction, which stopped it. Nothing was changed.");
        }
        catch (PostgresException e) when (e.SqlState == "42601" && e.MessageText.Contains("multiple commands", StringComparison.Ordinal))
        {
            throw new QueryException("on PostgreSQL, `query` runs one statement at a time; give one (without a second after a ';'). Nothing was run.");
        }
        catch (PostgresException e) when (e.SqlState == "57014" && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (PostgresException e) when (e.SqlState == "57014")
        {
            throw new QueryTimeoutException(timeout);
        }
        catch (PostgresException e) when (!OutagePolicy.IsTransient(e)) // a database that blinks is the outage policy's (ReadOnlyQuery)
        {
            throw new QueryException($"SQL error: {e.SqlState}: {e.MessageText}" + (e.Position > 0 ? $" (at character {e.Position})" : ""));
        }
    }
}
