using Core.Contract;
using Core.Store.Dialects;

namespace Core.Store;

/// <summary>Which database engine holds a store.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where the store is, parsed once from what the user gave: a SQLite path, a PostgreSQL URL
/// (<c>postgresql://user@host:5432/db</c>) or an Npgsql connection string (<c>Host=…;Database=…</c>;
/// PostgreSQL's forms are read by <see cref="PostgresLocation"/>). Where the setting comes from is
/// <see cref="Resolve"/>.
/// Keeps the password (if the value carried one) to itself: <see cref="Display"/> masks it,
/// <see cref="Argument"/> leaves it out, and <see cref="ChildEnvironment"/> hands it to child
/// processes through their environment, never their command line. See docs/store.md.
/// </summary>
public sealed partial class StoreLocation
{
    /// <summary>The standard variable libpq and Npgsql read a password from; how a password reaches child processes.</summary>
    public const string PasswordVariable = "PGPASSWORD";

    internal StoreLocation(StoreKind kind, string origin, string value, string display, string argument, string? password, bool poolGiven = false)
    {
        _poolGiven = poolGiven;
        Kind = kind;
        Origin = origin;
        Value = value;
        Display = display;
        Argument = argument;
        Password = password;
    }

    /// <summary>Whether the connection string set its own Maximum Pool Size (then it is kept).</summary>
    private readonly bool _poolGiven;

    public StoreKind Kind { get; }

    /// <summary>The setting it came from, for messages: <c>--db</c>, <c>ORCHESTRATOR_DB</c>, <c>ORCHESTRATOR_DB_FILE (/path)</c>, or the default.</summary>
    public string Origin { get; }

    /// <summary>SQLite: the absolute path. PostgreSQL: the Npgsql connection string, password included; never print it.</summary>
    internal string Value { get; }

    /// <summary>For people: the path, or the URL/connection string with any password shown as <c>***</c>.</summary>
    public string Display { get; }

    /// <summary>The form to put on a child's command line (<c>--db</c>): the path, or the connection without its password.</summary>
    public string Argument { get; }

    private string? Password { get; }

    /// <summary>Whether this and <paramref name="other"/> name the same database: the same SQLite file, or the same PostgreSQL server and database.</summary>
    public bool SameDatabase(StoreLocation other) =>
        Kind == other.Kind && (Kind == StoreKind.Sqlite
            ? Value == other.Value
            : string.Equals(PostgresLocation.Server(this), PostgresLocation.Server(other), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the value carried a password of its own (from <c>ORCHESTRATOR_DB</c> or <c>ORCHESTRATOR_DB_FILE</c>).</summary>
    public bool HasPassword => Password is not null;

    /// <summary>The SQLite file's absolute path; throws for PostgreSQL.</summary>
    public string SqlitePath => Kind == StoreKind.Sqlite ? Value : throw new InvalidOperationException($"{Display} is not a SQLite file");

    /// <summary>
    /// What a child process (a Runner, a worker) needs in its environment to reach the store as this
    /// process does: the password, if the value carried one. Everything else goes on its command
    /// line as <c>--db</c> <see cref="Argument"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ChildEnvironment =>
        Password is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [PasswordVariable] = Password };

    /// <summary>
    /// How a child process is told where the store is, on its command line: <c>--db</c>
    /// <see cref="Argument"/>, and for PostgreSQL <c>--results</c> <paramref name="resultsFolder"/>
    /// (where checkpoints go; a SQLite store keeps them beside its file). The password, if any, goes
    /// through <see cref="ChildEnvironment"/> instead.
    /// </summary>
    public StoreArguments ChildArguments(string resultsFolder) => new(Argument, Kind == StoreKind.Sqlite ? null : resultsFolder);

    /// <summary>This location with a pool of at most <paramref name="size"/> connections per process (PostgreSQL; kept if the user set one).</summary>
    public StoreLocation WithMaxPoolSize(int size)
    {
        if (Kind == StoreKind.Sqlite || _poolGiven) return this;
        return new StoreLocation(Kind, Origin, PostgresLocation.WithMaxPoolSize(Value, size), Display, Argument, Password);
    }

    public override string ToString() => Display;

    /// <summary>
    /// Parses a path, URL or connection string. <paramref name="origin"/> names the setting in errors;
    /// with <paramref name="commandLine"/> a password in the value is refused.
    /// </summary>
    public static StoreLocation Parse(string value, string origin, bool commandLine)
    {
        var text = value.Trim();
        // Never shown: a value with control characters is not a path or URL anyone typed, and may hold a password.
        if (text.Any(char.IsControl))
            throw new StoreLocationException(origin, $"{origin} holds control characters (a NUL, a tab, …), so it is not a database path or URL; " +
                                                     "give a SQLite path or a postgresql:// URL as plain text");
        if (PostgresLocation.IsOne(text)) return PostgresLocation.Parse(text, origin, commandLine);
        if (text.Contains("://", StringComparison.Ordinal))
            throw new StoreLocationException(origin, $"{PostgresLocation.Mask(text)} is not a database this tool knows: give a SQLite path or a postgresql:// URL");
        var path = Path.GetFullPath(text);
        return new StoreLocation(StoreKind.Sqlite, origin, path, path, path, password: null);
    }
}

/// <summary>The database setting cannot be used as given; <see cref="Setting"/> names where it came from.</summary>
public sealed class StoreLocationException(string setting, string message) : StoreException(message)
{
    public string Setting { get; } = setting;
}
