using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace TestSupport;

/// <summary>
/// A throwaway PostgreSQL server of one test's own (initdb into a temp folder, its own port, trust
/// login for the superuser <c>orchestrator</c> on localhost only), so that the test can stop it,
/// start it again or terminate its backends without touching the server other tests share
/// (<see cref="PostgresServer"/>). Needs the PostgreSQL server binaries (initdb, pg_ctl: the
/// Debian package postgresql that deploy/postgres/local-server.sh installs); run as root, the server
/// runs as the user postgres. Stopped and deleted on dispose.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private readonly TempDir _dir;
    private readonly string _bin;

    private PrivatePostgres(TempDir dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string Data => _dir.File("data");

    /// <summary>Creates the cluster and starts it (a few seconds).</summary>
    public static PrivatePostgres Start()
    {
        var bin = BinFolder();
        var dir = new TempDir("orch-pg");
        var server = new PrivatePostgres(dir, bin, FreePort());
        try
        {
            // The server's user must reach the folder (as root it is postgres, which may not enter /tmp/orch-pg-… otherwise).
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_111_111);
            server.PgTool("initdb", "-D", server.Data, "-A", "trust", "-U", "orchestrator", "--no-sync", "-E", "UTF8");
            server.StartServer();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A new database on this server; its URL (no password: the server trusts localhost).</summary>
    public string CreateDatabase(string name)
    {
        using var c = Admin();
        c.Execute($"CREATE DATABASE \"{name}\"");
        return Url(name);
    }

    public string Url(string database) => $"postgresql://orchestrator@localhost:{Port}/{database}";

    /// <summary>A superuser connection to the server's own database (pooling off: it survives nothing).</summary>
    public NpgsqlConnection Admin()
    {
        var c = new NpgsqlConnection($"Host=localhost;Port={Port};Username=orchestrator;Database=postgres;Pooling=false;Timeout=5");
        c.Open();
        return c;
    }

    /// <summary>Stops the server at once, as an administrator's restart or a crash would (fast shutdown: connections are terminated).</summary>
    public void Stop() => PgTool("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    /// <summary>Starts the stopped server again on the same port.</summary>
    public void StartServer() =>
        PgTool("pg_ctl", "-D", Data, "-w", "-t", "60", "-l", _dir.File("server.log"),
            "-o", $"-p {Port} -k {_dir.Path} -c listen_addresses=localhost -c fsync=off -c max_connections=100", "start");

    /// <summary>Terminates every backend connected to <paramref name="database"/> (as <c>pg_terminate_backend</c> from a superuser); returns how many.</summary>
    public int TerminateBackends(string database)
    {
        using var c = Admin();
        return c.ExecuteScalar<int>("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", new { database });
    }

    public void Dispose()
    {
        try { PgTool("pg_ctl", "-D", Data, "-m", "immediate", "stop"); } catch (InvalidOperationException) { } // not running
        _dir.Dispose();
    }

    /// <summary>Runs a PostgreSQL program; as root, as the user postgres (the server refuses to run as root).</summary>
    private void PgTool(string tool, params string[] args)
    {
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(_bin, tool))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (asRoot) foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(_bin, tool) }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var result = ChildProcess.Run(psi, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {result}");
    }

    private static string BinFolder()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "these tests start a PostgreSQL server of their own and need its programs (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: " +
            "install the package postgresql (`sudo deploy/postgres/local-server.sh` does)");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
