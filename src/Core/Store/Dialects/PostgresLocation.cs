using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Core.Store.Dialects;

/// <summary>
/// PostgreSQL's side of a <see cref="StoreLocation"/>: a URL (<c>postgresql://user@host:5432/db</c>) or an
/// Npgsql connection string (<c>Host=…;Database=…</c>) read into one connection string, its password
/// kept apart, and its connection pool bounded (docs/store.md). Every use of Npgsql's connection
/// string builder outside <see cref="PostgresDialect"/> is here.
/// </summary>
internal static partial class PostgresLocation
{
    /// <summary>Connections a process may hold to a PostgreSQL store at most (unless the connection string sets Maximum Pool Size).</summary>
    public const int MaxPoolSize = 4;

    /// <summary>Seconds an unused pooled PostgreSQL connection stays open.</summary>
    public const int IdleSeconds = 30;

    /// <summary>Whether <paramref name="text"/> names a PostgreSQL database (a postgres:// URL or a connection string with a host), not a SQLite path.</summary>
    internal static bool IsOne(string text) => UrlScheme().IsMatch(text) || KeyValueHost().IsMatch(text);

    /// <summary>
    /// Reads a URL or connection string (<see cref="IsOne"/>). <paramref name="origin"/> names the setting in
    /// errors; with <paramref name="commandLine"/> a password in the value is refused.
    /// </summary>
    internal static StoreLocation Parse(string text, string origin, bool commandLine)
    {
        var url = UrlScheme().IsMatch(text);
        var b = url ? FromUrl(text, origin) : FromKeyValues(text, origin);
        var password = string.IsNullOrEmpty(b.Password) ? null : b.Password;
        if (password is not null && commandLine)
            throw new StoreLocationException(origin,
                $"{origin} carries a password, and every user of this machine can read a command line; pass {Describe(b, url, null)} instead " +
                $"and keep the password in ~/.pgpass (or the file PGPASSFILE names), in {StoreLocation.PasswordVariable}, " +
                $"or in a file only you can read named by {StoreLocation.DbFileVariable}");
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

    /// <summary>The connection string with a pool of at most <paramref name="size"/> connections.</summary>
    internal static string WithMaxPoolSize(string connectionString, int size) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString;

    /// <summary>Which database a location names, whoever connects to it: <c>host:port/database</c>.</summary>
    internal static string Server(StoreLocation location)
    {
        var b = new NpgsqlConnectionStringBuilder(location.Value);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>
    /// postgresql://user[:password]@host[:port]/database[?key=value&amp;…] to Npgsql's form. Read by hand,
    /// not by <see cref="Uri"/>: the user part ends at the <em>last</em> '@', so a password with an
    /// unencoded '@', '/', '?', '#' or ':' is still read whole and never taken for a host, port or
    /// database (which would print it). A '@' in a query value must be written %40.
    /// </summary>
    private static NpgsqlConnectionStringBuilder FromUrl(string url, string origin)
    {
        var rest = url[UrlScheme().Match(url).Length..];
        var b = new NpgsqlConnectionStringBuilder();
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var colon = userInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (user.Length > 0) b.Username = user;
            if (colon >= 0) b.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            rest = rest[(at + 1)..];
        }
        Exception Invalid(string why) => new StoreLocationException(origin,
            $"{Mask(url)} is not a valid URL ({why}); the form is postgresql://user@host:5432/database");
        var q = rest.IndexOf('?');
        var query = q >= 0 ? rest[(q + 1)..] : "";
        if (q >= 0) rest = rest[..q];
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]);
        if (authority.IndexOfAny(['#', ' ']) >= 0 || database.Contains('/', StringComparison.Ordinal))
            throw Invalid("its host or database has a character a URL does not allow there; percent-encode it");
        string host, port = "";
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) throw Invalid("an IPv6 host's '[' is not closed");
            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':')) throw Invalid("after an IPv6 host's ']' comes ':PORT' or '/'");
            port = after.TrimStart(':');
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? "" : authority[(colon + 1)..];
        }
        host = Uri.UnescapeDataString(host);
        b.Host = host.Length > 0 ? host : "localhost";
        if (port.Length > 0)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                throw Invalid("its port is not a number from 1 to 65535");
            b.Port = p;
        }
        if (database.Length > 0) b.Database = database;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
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
            // Npgsql's reason may quote a piece of an unquoted password (one with ';' or '='): with a password, neither is shown.
            if (PasswordKey().IsMatch(text))
                throw new StoreLocationException(origin,
                    "the connection string cannot be read (it is not shown: it holds a password); check its Key=Value pairs, " +
                    "and quote a value that has ';', '=' or quotes in it: Password='a;b' (a ' inside doubled: '')");
            throw new StoreLocationException(origin, $"the connection string {text} cannot be read: {e.Message}");
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
            .Select(k => $"{Uri.EscapeDataString(k)}={Uri.EscapeDataString(Convert.ToString(copy[k], CultureInfo.InvariantCulture) ?? "")}"));
        return $"postgresql://{user}{host}:{copy.Port}/{Uri.EscapeDataString(copy.Database ?? "")}" + (query.Length > 0 ? "?" + query : "");
    }

    /// <summary>
    /// A URL or connection string as it may be shown: any password replaced by <c>***</c>. In a URL,
    /// everything from the first ':' after the user to the <em>last</em> '@' is the password (it may
    /// hold '@', '/' and ':' unencoded); in key=value pairs a quoted value is masked whole.
    /// </summary>
    public static string Mask(string text) =>
        PasswordPair().Replace(UrlPassword().Replace(text, "$1***@"), "$1***");

    [GeneratedRegex(@"(^|;)\s*(password|pwd)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordKey();

    [GeneratedRegex(@"^postgres(ql)?://", RegexOptions.IgnoreCase)]
    private static partial Regex UrlScheme();

    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueHost();

    [GeneratedRegex(@"(://[^:/@]*:).*@", RegexOptions.Singleline)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"((^|;)\s*(password|pwd)\s*=)\s*(""(?:[^""]|"""")*""?|'(?:[^']|'')*'?|[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
