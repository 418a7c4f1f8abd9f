using Core.Store;
using Dapper;
using Npgsql;

namespace TestSupport;

/// <summary>
/// A login role of its own on the test server, for one test: with a password of the test's choosing
/// (any characters), and the rights the test grants it on a test database. Dropped on dispose, after
/// the databases it was granted rights on (drop them first). The server's test user needs CREATEROLE
/// (deploy/postgres/local-server.sh gives it).
/// </summary>
public sealed class PostgresRole : IDisposable
{
    private PostgresRole(string name, string password)
    {
        Name = name;
        Password = password;
    }

    public string Name { get; }
    public string Password { get; }

    public static PostgresRole Create(string prefix, string password)
    {
        var name = $"orch_role_{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 10 + 1 + 12)].ToLowerInvariant();
        PostgresServer.Admin(c => c.Execute($"CREATE ROLE \"{name}\" LOGIN PASSWORD {Literal(password)}"));
        return new PostgresRole(name, password);
    }

    /// <summary>Everything a run needs in the test database at <paramref name="url"/>: to create tables in its schema.</summary>
    public void GrantAll(string url) => On(url, $"GRANT ALL ON SCHEMA public TO \"{Name}\"");

    /// <summary>SELECT on every table and view the database at <paramref name="url"/> has now, and nothing else.</summary>
    public void GrantSelect(string url) => On(url, $"GRANT USAGE ON SCHEMA public TO \"{Name}\"; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{Name}\"");

    /// <summary>The database at <paramref name="url"/> (no password) as this role would name it in a URL, password left out.</summary>
    public string UrlFor(string url) =>
        url.Replace("://" + new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value).Username + "@",
                    $"://{Name}@", StringComparison.Ordinal);

    private static void On(string url, string sql)
    {
        var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value) { Pooling = false };
        using var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        c.Execute(sql);
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                PostgresServer.Admin(c => c.Execute($"DROP ROLE IF EXISTS \"{Name}\""));
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DependentObjectsStillExist or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                Thread.Sleep(250);
            }
        }
    }
}
