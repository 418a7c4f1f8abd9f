using System.Text.RegularExpressions;
using Npgsql;

namespace Core.Store;

/// <summary>Which database engine holds a store.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where the store is, parsed once from what the user gave: a SQLite path, a PostgreSQL URL
/// (<c>postgresql://user@host:5432/db</c>) or an Npgsql connection string (<c>Host=…;Database=…</c>).
/// Keeps the password (if the value carried one) to itself: <see cref="Display"/> masks it,
/// <see cref="Argument"/> leaves it out, and <see cref="ChildEnvironment"/> hands it to child
/// processes through their environment, never their command line. See docs/store.md.
/// </summary>
public sealed partial class StoreLocation
{
    /// <summary>The environment variable with the default database (a path, URL or connection string).</summary>
    public const string DbVariable = "ORCHESTRATOR_DB";

    /// <summary>The environment variable naming a file (mode 0600) whose first line is the default database; the place for a connection string with a password.</summary>
    public const string DbFileVariable = "ORCHESTRATOR_DB_FILE";

    /// <summary>The standard variable libpq and Npgsql read a password from; how a password reaches child processes.</summary>
    public const string PasswordVariable = "PGPASSWORD";

    /// <summary>Connections a process may hold to a PostgreSQL store at most (unless the connection string sets Maximum Pool Size).</summary>
    public const int MaxPoolSize = 4;

    /// <summary>The same for a Runner, which uses two at a time at most: its training loop's writes and its lease heartbeat.</summary>
    public const int RunnerPoolSize = 2;

    /// <summary>Seconds an unused pooled PostgreSQL connection stays open.</summary>
    public const int IdleSeconds = 30;

    private StoreLocation(StoreKind kind, string origin, string value, string display, string argument, string? password, bool poolGiven = false)
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
    public IReadOnlyList<string> ChildArguments(string resultsFolder) =>
        Kind == StoreKind.Sqlite ? ["--db", Argument] : ["--db", Argument, "--results", resultsFolder];

    /// <summary>This location with a pool of at most <paramref name="size"/> connections per process (PostgreSQL; kept if the user set one).</summary>
    public StoreLocation WithMaxPoolSize(int size)
    {
        if (Kind == StoreKind.Sqlite || _poolGiven) return this;
        var b = new NpgsqlConnectionStringBuilder(Value) { MaxPoolSize = size };
        return new StoreLocation(Kind, Origin, b.ConnectionString, Display, Argument, Password);
    }

    public override string ToString() => Display;

    /// <summary>
    /// The store a command uses: <paramref name="option"/> (<c>--db</c>) if given; else
    /// <c>ORCHESTRATOR_DB_FILE</c> or <c>ORCHESTRATOR_DB</c> (not both); else
    /// <c>&lt;results&gt;/orchestrator.db</c>. A password is refused on the command line (any user of
    /// the machine can read it there). Throws <see cref="StoreLocationException"/> naming the setting.
    /// </summary>
    /// <param name="optionName">The option <paramref name="option"/> came from, for messages (<c>--db</c>, or export's <c>--from</c>).</param>
    public static StoreLocation Resolve(string? option, string resultsFolder, Func<string, string?>? environment = null, string optionName = "--db")
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(option)) return Parse(option, optionName, commandLine: true);

        var file = environment(DbFileVariable);
        var value = environment(DbVariable);
        if (!string.IsNullOrWhiteSpace(file) && !string.IsNullOrWhiteSpace(value))
            throw new StoreLocationException(DbFileVariable,
                $"both {DbFileVariable} and {DbVariable} are set; set one of them (or pass --db)");
        if (!string.IsNullOrWhiteSpace(file)) return FromFile(file);
        if (!string.IsNullOrWhiteSpace(value)) return Parse(value, DbVariable, commandLine: false);
        return Parse(Path.Combine(resultsFolder, "orchestrator.db"), "the default (<results>/orchestrator.db)", commandLine: false);
    }

    /// <summary>Reads the database from the first non-empty line of a file that only its owner may read.</summary>
    private static StoreLocation FromFile(string file)
    {
        var origin = $"{DbFileVariable} ({file})";
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
            throw new StoreLocationException(origin, $"{DbFileVariable} names {path}, which does not exist; write the database URL into it (chmod 600) or unset {DbFileVariable}");
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & others) != 0)
                throw new StoreLocationException(origin,
                    $"{path} may be read by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}), and it may hold a password; " +
                    $"make it private with `chmod 600 {path}`");
        }
        var line = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'))
                   ?? throw new StoreLocationException(origin, $"{path} is empty; write the database URL (e.g. postgresql://user:password@host:5432/db) on its first line");
        return Parse(line, origin, commandLine: false);
    }

    /// <summary>
    /// Parses a path, URL or connection string. <paramref name="origin"/> names the setting in errors;
    /// with <paramref name="commandLine"/> a password in the value is refused.
    /// </summary>
    public static StoreLocation Parse(string value, string origin, bool commandLine)
    {
        var text = value.Trim();
        if (UrlScheme().IsMatch(text)) return FromBuilder(FromUrl(text, origin), origin, commandLine, url: true);
        if (KeyValueHost().IsMatch(text)) return FromBuilder(FromKeyValues(text, origin), origin, commandLine, url: false);
        if (text.Contains("://", StringComparison.Ordinal))
            throw new StoreLocationException(origin, $"{Mask(text)} is not a database this tool knows: give a SQLite path or a postgresql:// URL");
        var path = Path.GetFullPath(text);
        return new StoreLocation(StoreKind.Sqlite, origin, path, path, path, password: null);
    }

    private static StoreLocation FromBuilder(NpgsqlConnectionStringBuilder b, string origin, bool commandLine, bool url)
    {
        var password = string.IsNullOrEmpty(b.Password) ? null : b.Password;
        if (password is not null && commandLine)
            throw new StoreLocationException(origin,
                $"{origin} carries a password, and every user of this machine can read a command line; pass {Describe(b, url, null)} instead " +
                $"and keep the password in ~/.pgpass (or the file PGPASSFILE names), in {PasswordVariable}, " +
                $"or in a file only you can read named by {DbFileVariable}");
        if (string.IsNullOrEmpty(b.Database))
            throw new StoreLocationException(origin, $"{Describe(b, url, null)} names no database; add it, e.g. postgresql://{b.Username ?? "user"}@{b.Host ?? "localhost"}:{b.Port}/orchestrator");
        var argument = Describe(b, url, null);
        var display = Describe(b, url, password is null ? null : "***");

        // The pool: small and bounded per process; idle connections close soon (docs/store.md).
        var given = b.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("Maximum Pool Size")) b.MaxPoolSize = MaxPoolSize;
        if (!given.Contains("Connection Idle Lifetime")) b.ConnectionIdleLifetime = IdleSeconds;
        if (string.IsNullOrEmpty(b.ApplicationName))
            b.ApplicationName = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "orchestrator";
        return new StoreLocation(StoreKind.Postgres, origin, b.ConnectionString, display, argument, password, poolGiven: given.Contains("Maximum Pool Size"));
    }

    /// <summary>postgresql://user[:password]@host[:port]/database[?key=value&amp;…] to Npgsql's form.</summary>
    private static NpgsqlConnectionStringBuilder FromUrl(string url, string origin)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new StoreLocationException(origin, $"{Mask(url)} is not a valid URL; the form is postgresql://user@host:5432/database");
        var b = new NpgsqlConnectionStringBuilder { Host = uri.DnsSafeHost };
        if (uri.Port > 0) b.Port = uri.Port;
        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':');
            b.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0) b.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) b.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            var npgsqlKey = key.ToLowerInvariant() switch
            {
                "sslmode" => "SSL Mode",
                "connect_timeout" => "Timeout",
                "application_name" => "Application Name",
                "options" => "Options",
                "password" => throw new StoreLocationException(origin, "give the password before the host (postgresql://user:password@host/db), or better, in ~/.pgpass"),
                _ => key,
            };
            Set(b, npgsqlKey, value, origin);
        }
        return b;
    }

    private static NpgsqlConnectionStringBuilder FromKeyValues(string text, string origin)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw new StoreLocationException(origin, $"the connection string {Mask(text)} cannot be read: {Mask(e.Message)}");
        }
    }

    private static void Set(NpgsqlConnectionStringBuilder b, string key, string value, string origin)
    {
        try
        {
            b[key] = value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new StoreLocationException(origin, $"the URL parameter '{key}={value}' is not one PostgreSQL connections take ({e.Message})");
        }
    }

    /// <summary>The connection for people and command lines: as a URL if it was given as one, else as key=value pairs.</summary>
    private static string Describe(NpgsqlConnectionStringBuilder b, bool url, string? password)
    {
        var copy = new NpgsqlConnectionStringBuilder(b.ConnectionString);
        copy.Remove("Password");
        if (!url)
        {
            var text = copy.ConnectionString;
            return password is null ? text : $"{text};Password={password}";
        }
        var user = copy.Username is { Length: > 0 } u ? Uri.EscapeDataString(u) + (password is null ? "" : ":" + password) + "@" : "";
        var host = copy.Host is { } h ? (h.Contains(':') ? $"[{h}]" : h) : "localhost";
        var query = string.Join('&', copy.Keys.Cast<string>()
            .Where(k => k is not ("Host" or "Port" or "Username" or "Database" or "Password"))
            .Select(k => $"{Uri.EscapeDataString(k)}={Uri.EscapeDataString(Convert.ToString(copy[k], System.Globalization.CultureInfo.InvariantCulture) ?? "")}"));
        return $"postgresql://{user}{host}:{copy.Port}/{Uri.EscapeDataString(copy.Database ?? "")}" + (query.Length > 0 ? "?" + query : "");
    }

    /// <summary>A URL or connection string as it may be shown: any password replaced by <c>***</c>.</summary>
    public static string Mask(string text) =>
        PasswordPair().Replace(UrlPassword().Replace(text, "$1***@"), "$1***");

    [GeneratedRegex(@"^postgres(ql)?://", RegexOptions.IgnoreCase)]
    private static partial Regex UrlScheme();

    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueHost();

    [GeneratedRegex(@"(://[^:/@]*:)[^@]*@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"((^|;)\s*(password|pwd)\s*=)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}

/// <summary>The database setting cannot be used as given; <see cref="Setting"/> names where it came from.</summary>
public sealed class StoreLocationException(string setting, string message) : StoreException(message)
{
    public string Setting { get; } = setting;
}
