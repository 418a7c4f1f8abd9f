using System.Data.Common;
using Core.Store.Dialects;
using Dapper;

namespace Core.Store;

/// <summary>
/// The store that is the single source of truth: a SQLite file, or a PostgreSQL database shared by
/// many hosts (<see cref="StoreLocation"/>). Opens connections through its <see cref="Dialects.Dialect"/>
/// and brings the schema forward on first open, once, under a lock. Paths recorded in the store
/// (checkpoints) are relative to <see cref="Folder"/> so a results folder can be moved whole.
/// </summary>
public sealed class Database
{
    static Database()
    {
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private Database(Dialect dialect, string folder)
    {
        Dialect = dialect;
        Folder = folder;
    }

    /// <summary>What differs between the engines; the repositories take their few engine-specific words from it.</summary>
    internal Dialect Dialect { get; }

    public StoreLocation Location => Dialect.Location;

    public StoreKind Kind => Location.Kind;

    /// <summary>For people and messages: the SQLite file's path, or the PostgreSQL URL with any password masked.</summary>
    public string Path => Location.Display;

    /// <summary>The database's short name: the SQLite file's name, or the PostgreSQL URL (no password).</summary>
    public string Name => Kind == StoreKind.Sqlite ? System.IO.Path.GetFileName(Location.SqlitePath) : Location.Argument;

    public bool ReadOnly => Dialect.ReadOnly;

    /// <summary>Where checkpoints (and, by default, reports) live: the SQLite file's folder, or for PostgreSQL the results folder.</summary>
    public string Folder { get; }

    /// <summary>Opens (creating if needed) a database for writing and migrates it to the latest schema.</summary>
    /// <param name="location">A path, URL or connection string (see <see cref="StoreLocation.Parse"/>).</param>
    /// <param name="resultsFolder">PostgreSQL only: where checkpoints go; default <c>results/</c>.</param>
    public static Database Open(string location, string? resultsFolder = null) =>
        Open(StoreLocation.Parse(location, "the database", commandLine: false), resultsFolder);

    /// <inheritdoc cref="Open(string, string?)"/>
    /// <param name="rideOut">
    /// For processes started against a database that was there (a Runner, a Slurm worker): the open itself
    /// rides out a transient outage under this policy, which the store keeps. Without it the open is tried
    /// once, so that a wrong host or port is told at once, and the store gets the default policy.
    /// </param>
    public static Database Open(StoreLocation location, string? resultsFolder = null, OutagePolicy? rideOut = null)
    {
        var db = new Database(Dialect.For(location, readOnly: false), FolderOf(location, resultsFolder));
        if (rideOut is not null) db.Outage = rideOut;
        Translating(db.Dialect, () => rideOut is null ? db.PrepareAndMigrate() : rideOut.Execute(db.PrepareAndMigrate, db.Path, _ => db.Dialect.ForgetConnections()));
        return db;
    }

    private int PrepareAndMigrate()
    {
        Dialect.PrepareForWriting();
        using var c = Connect();
        Migrate(c);
        return 0;
    }

    /// <summary>
    /// Opens an existing database for writing, as <see cref="Open(StoreLocation, string?, OutagePolicy?)"/> does, but never
    /// creates one: a SQLite file that is not there throws <see cref="DatabaseNotFoundException"/>. For
    /// commands that act on what a run recorded (a Slurm worker, <c>cancel</c>, <c>sample</c>), where a
    /// missing database is a wrong path, not a new study.
    /// </summary>
    public static Database OpenExisting(StoreLocation location, string? resultsFolder = null, OutagePolicy? rideOut = null)
    {
        Dialect.For(location, readOnly: false).ThrowIfMissing();
        return Open(location, resultsFolder, rideOut);
    }

    /// <summary>
    /// Opens an existing database read-only; a write through it fails. A SQLite file is read even on
    /// read-only media. Throws a <see cref="StoreException"/> that names the database:
    /// <see cref="DatabaseNotFoundException"/>, <see cref="EmptyDatabaseException"/>,
    /// <see cref="SchemaVersionException"/>, <see cref="DatabaseOpenException"/> or <see cref="DatabaseConnectionException"/>.
    /// </summary>
    public static Database OpenReadOnly(string location, string? resultsFolder = null) =>
        OpenReadOnly(StoreLocation.Parse(location, "the database", commandLine: false), resultsFolder);

    /// <inheritdoc cref="OpenReadOnly(string, string?)"/>
    public static Database OpenReadOnly(StoreLocation location, string? resultsFolder = null)
    {
        var plain = Dialect.For(location, readOnly: true);
        var (dialect, version, tables) = Translating(plain, plain.OpenForReading);
        var db = new Database(dialect, FolderOf(location, resultsFolder));
        if (version == 0 && tables == 0) throw dialect.Empty();
        if (version != Schema.LatestVersion) throw new SchemaVersionException(db.Path, version, Schema.LatestVersion);
        return db;
    }

    /// <summary>
    /// Whether this process could open the store for writing, changing nothing: connects, begins the
    /// write transaction, takes the schema lock as <see cref="Open(StoreLocation, string?, OutagePolicy?)"/> does,
    /// makes a change that is never kept (<see cref="Dialects.Dialect.ProbeWrite"/>) and rolls it all
    /// back. Returns the schema version found (0: nothing created yet). Never creates a SQLite file:
    /// a missing one throws <see cref="DatabaseNotFoundException"/>. A store that cannot be reached,
    /// opened or logged into throws the <see cref="StoreException"/> <see cref="Open(StoreLocation, string?, OutagePolicy?)"/>
    /// would; a refused write throws the engine's own exception.
    /// </summary>
    public static long ProbeWrite(StoreLocation location)
    {
        var db = new Database(Dialect.For(location, readOnly: false), FolderOf(location, null));
        db.Dialect.ThrowIfMissing();
        return Translating(db.Dialect, () =>
        {
            using var c = db.Connect();
            using var tx = db.Dialect.BeginWrite(c);
            db.Dialect.LockSchema(c, tx);
            var version = db.Dialect.SchemaVersion(c, tx);
            db.Dialect.ProbeWrite(c, tx);
            tx.Rollback();
            return version;
        });
    }

    /// <summary>
    /// The folder a store keeps its files in (checkpoints, and a Slurm sweep's job script and logs):
    /// the SQLite file's folder, or for PostgreSQL the results folder (default <c>results/</c>).
    /// </summary>
    public static string FolderOf(StoreLocation location, string? resultsFolder) =>
        location.Kind == StoreKind.Sqlite
            ? System.IO.Path.GetDirectoryName(location.SqlitePath)!
            : System.IO.Path.GetFullPath(resultsFolder ?? "results");

    /// <summary>Runs <paramref name="open"/>, turning the engine's "cannot open, reach or log in" errors into <see cref="StoreException"/>s.</summary>
    private static T Translating<T>(Dialect dialect, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when ((dialect.Explain(e) ?? dialect.Full(e)) is { } explained)
        {
            throw explained;
        }
    }

    /// <summary>A new open connection; dispose it after use. Pooled, so cheap.</summary>
    internal DbConnection Connect() => Dialect.Connect();

    /// <summary>
    /// How this process rides out a database that blinks (<see cref="OutagePolicy"/>): every statement of
    /// the repositories runs through it. By default the window of <see cref="OutagePolicy.WindowVariable"/>
    /// or five minutes; a run sets the spec's (<c>execution.db_outage_seconds</c>), a Runner its <c>--db-outage-seconds</c>.
    /// </summary>
    public OutagePolicy Outage { get; set; } = OutagePolicy.For();

    /// <summary>Set once a statement gave up past the window: later ones are tried once, until one succeeds.</summary>
    private volatile bool _gaveUp;

    /// <summary>Told, for people, when the database stops answering and when it answers again (null: nobody is told).</summary>
    public Action<string>? OnOutage { get; set; }

    /// <summary>
    /// Runs <paramref name="work"/> on a new connection, all of it again on a new one while it fails with a
    /// transient error within <see cref="Outage"/>'s window; past it, throws <see cref="DatabaseOutageException"/>.
    /// The work must be one transaction (or one statement), so that trying it again is trying it once.
    /// </summary>
    /// <param name="ct">Cancels the waits between tries (a query's timeout, Ctrl-C): <see cref="OperationCanceledException"/>.</param>
    internal T Run<T>(Func<DbConnection, T> work, bool rideOut = true, CancellationToken ct = default)
    {
        if (!rideOut)
        {
            try
            {
                using var once = Connect();
                return work(once);
            }
            catch (Exception e) when (OutagePolicy.IsTransient(e))
            {
                Dialect.ForgetConnections(); // the next try gets a new connection, not one the outage broke
                throw;
            }
            catch (Exception e) when (Dialect.Full(e) is { } full)
            {
                throw full;
            }
        }
        if (_gaveUp)
        {
            // Past the window once already: one try, so that the process ends now instead of waiting a window per statement.
            try
            {
                using var c = Connect();
                var answer = work(c);
                _gaveUp = false;
                return answer;
            }
            catch (Exception e) when (OutagePolicy.IsTransient(e))
            {
                throw new DatabaseOutageException(Path, Outage.Window, e);
            }
            catch (Exception e) when (Dialect.Full(e) is { } full)
            {
                throw full;
            }
        }
        long? since = null;
        T result;
        try
        {
            result = Outage.Execute(() =>
            {
                using var c = Connect();
                return work(c);
            }, Path, e =>
            {
                since = System.Diagnostics.Stopwatch.GetTimestamp();
                Dialect.ForgetConnections();
                OnOutage?.Invoke($"the database {Path} does not answer ({OneLine(e)}); trying again for up to {DatabaseOutageException.Describe(Outage.Window)}");
            }, ct);
        }
        catch (DatabaseOutageException)
        {
            _gaveUp = true;
            throw;
        }
        catch (Exception e) when (Dialect.Full(e) is { } full)
        {
            throw full;
        }
        if (since is { } t)
            OnOutage?.Invoke($"the database {Path} answers again after {System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalSeconds:0.#} s");
        return result;
    }

    /// <inheritdoc cref="Run{T}(Func{DbConnection, T}, bool, CancellationToken)"/>
    internal void Run(Action<DbConnection> work) => Run(c =>
    {
        work(c);
        return 0;
    });

    private static string OneLine(Exception e) =>
        (e is Npgsql.PostgresException p ? $"{p.SqlState}: {p.MessageText}" : e.Message).ReplaceLineEndings(" ");

    /// <summary>Begins a transaction that writes (see <see cref="Dialects.Dialect.BeginWrite"/>).</summary>
    internal DbTransaction BeginWrite(DbConnection c) => Dialect.BeginWrite(c);

    /// <summary>Absolute path of a path stored relative to the database's folder.</summary>
    public string Resolve(string storedPath) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, storedPath));

    /// <summary>The form of <paramref name="absolutePath"/> to store: relative to the database's folder.</summary>
    public string Relativize(string absolutePath) => System.IO.Path.GetRelativePath(Folder, absolutePath);

    /// <summary>Brings the schema to <see cref="Schema.LatestVersion"/> in one transaction, under the dialect's schema lock.</summary>
    private void Migrate(DbConnection c)
    {
        using var tx = Dialect.BeginWrite(c);
        Dialect.LockSchema(c, tx);
        var version = Dialect.SchemaVersion(c, tx);
        if (version > Schema.LatestVersion) throw new SchemaVersionException(Path, version, Schema.LatestVersion);
        for (var v = (int)version; v < Schema.LatestVersion; v++)
        {
            c.Execute(Schema.Migration(v, Dialect), transaction: tx);
            Dialect.SetSchemaVersion(c, tx, v + 1);
        }
        tx.Commit();
    }
}

/// <summary>A problem with the store that the user can act on (missing file, wrong version, lost lease).</summary>
public class StoreException(string message, Exception? inner = null) : Exception(message, inner);
