using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Core.Store;

/// <summary>
/// How every process rides out a database that blinks (a PostgreSQL restart, a terminated backend,
/// a SQLite write lock held beyond the busy timeout), defined once: which errors are transient on
/// each engine (<see cref="IsTransient"/>), the window they are retried for (<see cref="Window"/>:
/// the spec's <c>execution.db_outage_seconds</c>, else <c>ORCHESTRATOR_DB_OUTAGE_SECONDS</c>, else
/// five minutes), and the backoff between tries (exponential with jitter, from 0.25 s to 5 s, Polly).
/// Past the window the last error becomes a <see cref="DatabaseOutageException"/> that names the
/// database. The repositories run every statement through <see cref="Database"/>'s policy; see
/// docs/store.md, "When the database blinks".
/// </summary>
public sealed class OutagePolicy
{
    /// <summary>The environment variable that sets the window, in seconds, where no spec does (workers, Runners started by hand, <c>status</c>).</summary>
    public const string WindowVariable = "ORCHESTRATOR_DB_OUTAGE_SECONDS";

    /// <summary>The window when neither the spec nor <see cref="WindowVariable"/> sets one.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    private const string StartedKey = "outage.started";
    private static readonly ResiliencePropertyKey<long> Started = new(StartedKey);

    private readonly ResiliencePipeline _pipeline;

    public OutagePolicy(TimeSpan window)
    {
        Window = window;
        _pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = FirstDelay,
            MaxDelay = MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && IsTransient(e)
                && Stopwatch.GetElapsedTime(args.Context.Properties.GetValue(Started, 0)) < Window),
            OnRetry = args =>
            {
                if (args.AttemptNumber == 0 && args.Context.Properties.TryGetValue(Warn, out var warn))
                    warn(args.Outcome.Exception!);
                return default;
            },
        }).Build();
    }

    private static readonly ResiliencePropertyKey<Action<Exception>> Warn = new("outage.warn");

    /// <summary>How long a transient error is retried before the process gives up on the database.</summary>
    public TimeSpan Window { get; }

    /// <summary>
    /// The window a process uses: <paramref name="configured"/> (the spec's, or the Runner's
    /// <c>--db-outage-seconds</c>) if given, else <see cref="WindowVariable"/>, else <see cref="DefaultWindow"/>.
    /// Throws <see cref="StoreException"/> for a variable that is not a number of seconds ≥ 0.
    /// </summary>
    public static OutagePolicy For(TimeSpan? configured = null) => new(configured ?? WindowFromEnvironment() ?? DefaultWindow);

    private static TimeSpan? WindowFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(WindowVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds >= 0) || double.IsInfinity(seconds))
            throw new StoreException($"{WindowVariable} must be a number of seconds (0 or more), got '{text}'");
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, trying it again while it fails with a transient error and the
    /// window lasts. <paramref name="onOutage"/> hears of the first transient error. Past the window,
    /// throws <see cref="DatabaseOutageException"/> naming <paramref name="database"/>.
    /// </summary>
    public T Execute<T>(Func<T> work, string database, Action<Exception>? onOutage = null, CancellationToken ct = default)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(Started, Stopwatch.GetTimestamp());
        if (onOutage is not null) context.Properties.Set(Warn, onOutage);
        try
        {
            return _pipeline.Execute(_ => work(), context);
        }
        catch (Exception e) when (IsTransient(e))
        {
            throw new DatabaseOutageException(database, Window, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> says the database is briefly unusable, so the same work may
    /// succeed later. PostgreSQL: the server shut down, restarted, is starting or terminated this
    /// backend (SQLSTATE 57P01, 57P02, 57P03), a connection error (class 08), too many connections
    /// (53300), a serialization failure or deadlock (40001, 40P01), and a connection refused, reset or
    /// timed out (socket and stream errors). SQLite: busy or locked beyond its busy timeout
    /// (SQLITE_BUSY, SQLITE_LOCKED). Wrong passwords, missing databases, a full disk and SQL errors are not.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        DatabaseOutageException => false,
        PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SqliteException s => (s.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked,
        SocketException => true,
        // Npgsql reports a connection broken under a running command this way, with the cause inside.
        InvalidOperationException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    private const int SqliteBusy = 5, SqliteLocked = 6;
}

/// <summary>
/// The database stayed unusable for longer than the outage window (<see cref="OutagePolicy.Window"/>).
/// The message names the database (password masked), the window and the last error; what to do
/// about it (run again) is the caller's to say.
/// </summary>
public sealed class DatabaseOutageException(string database, TimeSpan window, Exception last)
    : StoreException($"the database {database} could not be used for {Describe(window)} (the outage window): {OneLine(last)}", last)
{
    public string Database { get; } = database;
    public TimeSpan Window { get; } = window;

    internal static string Describe(TimeSpan window) =>
        window.TotalSeconds < 120 ? $"{window.TotalSeconds:0.#} s" : $"{window.TotalMinutes:0.#} min";

    private static string OneLine(Exception e)
    {
        var text = e is PostgresException p ? $"{p.SqlState}: {p.MessageText}" : e.Message;
        if (e is not PostgresException && e.InnerException is { } inner && inner.Message != e.Message) text += $" ({inner.Message})";
        return text.ReplaceLineEndings(" ");
    }
}
