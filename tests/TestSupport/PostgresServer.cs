using Core.Store;
using Dapper;
using Npgsql;

namespace TestSupport;

/// <summary>
/// The PostgreSQL server the tests use: <c>ORCHESTRATOR_TEST_PG</c> (a URL of a database on it,
/// whose user may CREATE DATABASE), else the local one <c>deploy/postgres/local-server.sh</c>
/// starts. Each test gets a database of its own (<see cref="CreateDatabase"/>), dropped afterwards.
/// When the server cannot be reached the tests fail, saying how to start it; they never skip.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "ORCHESTRATOR_TEST_PG";
    public const string LocalUrl = "postgresql://orchestrator@localhost:5432/orchestrator";

    /// <summary>A database on the server to connect to for creating and dropping the tests' own.</summary>
    public static string AdminUrl => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : LocalUrl;

    /// <summary>Creates a fresh, empty database with a unique name; returns its URL (no password: it comes from ~/.pgpass or PGPASSWORD).</summary>
    public static string CreateDatabase(string prefix)
    {
        var name = $"orch_test_{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 10 + 1 + 12)].ToLowerInvariant();
        Admin(c => c.Execute($"CREATE DATABASE \"{name}\""));
        return UrlOf(name);
    }

    /// <summary>Drops a database <see cref="CreateDatabase"/> made, closing whatever connections are still open to it.</summary>
    public static void DropDatabase(string url)
    {
        var name = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value).Database!;
        if (!name.StartsWith("orch_test_", StringComparison.Ordinal)) throw new ArgumentException($"{url} is not a test database", nameof(url));
        // FORCE terminates the database's other connections, but a role without superuser rights may
        // not terminate an autovacuum worker that happens to be in it (42501); such a worker is gone
        // within moments, so the drop is tried again rather than failing the test that just passed.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Admin(c => c.Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                Thread.Sleep(250);
            }
        }
    }

    /// <summary>The tables of the database at <paramref name="url"/> (a test's: to show that nothing was created in it).</summary>
    public static IReadOnlyList<string> Tables(string url)
    {
        var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value) { Pooling = false };
        using var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        return c.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1").AsList();
    }

    /// <summary>The URL of database <paramref name="name"/> on the test server.</summary>
    public static string UrlOf(string name)
    {
        var admin = StoreLocation.Parse(AdminUrl, Variable, commandLine: false);
        var b = new NpgsqlConnectionStringBuilder(admin.Value);
        return $"postgresql://{Uri.EscapeDataString(b.Username ?? Environment.UserName)}@{b.Host}:{b.Port}/{name}";
    }

    /// <summary>Runs <paramref name="action"/> on a connection to a database of its own; throws <see cref="PostgresUnavailableException"/> when the server cannot be used.</summary>
    public static T Admin<T>(Func<NpgsqlConnection, T> action)
    {
        var admin = StoreLocation.Parse(AdminUrl, Variable, commandLine: false);
        NpgsqlConnection c;
        try
        {
            c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin.Value) { Pooling = false }.ConnectionString);
            c.Open();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new PostgresUnavailableException(
                $"the PostgreSQL tests need a server and cannot use {admin.Display} ({e.Message}). Start the local one with " +
                $"`sudo deploy/postgres/local-server.sh`, or set {Variable} to a postgresql:// URL whose user may CREATE DATABASE " +
                "(its password in ~/.pgpass or PGPASSWORD)", e);
        }
        using (c) return action(c);
    }

    public static void Admin(Action<NpgsqlConnection> action) => Admin(c => { action(c); return 0; });

    /// <summary>The password the test server's user logs in with, from the password file Npgsql reads (for tests that look for it where it must not be).</summary>
    public static string? PasswordFromPassfile()
    {
        var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(AdminUrl, Variable, commandLine: false).Value);
        var file = Environment.GetEnvironmentVariable("PGPASSFILE") is { Length: > 0 } f ? f
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pgpass");
        if (!File.Exists(file)) return Environment.GetEnvironmentVariable("PGPASSWORD");
        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split(':');
            if (parts.Length < 5 || line.StartsWith('#')) continue;
            bool Match(string pattern, string? value) => pattern == "*" || pattern == value;
            if (Match(parts[0], b.Host) && Match(parts[1], b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                                        && Match(parts[3], b.Username)) return string.Join(':', parts[4..]);
        }
        return Environment.GetEnvironmentVariable("PGPASSWORD");
    }
}

/// <summary>The PostgreSQL server the tests need cannot be used; the message says how to start one.</summary>
public sealed class PostgresUnavailableException(string message, Exception inner) : Exception(message, inner);
