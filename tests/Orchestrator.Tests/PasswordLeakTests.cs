using System.Text;
using Core.Store;
using Dapper;
using Npgsql;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Issue 17 §2, as a property: passwords with the characters that break URLs and connection strings
/// ('@', ':', '/', '?', '#', '%', ';', '=', quotes, spaces, non-ASCII), each a real role's password on
/// the real server, given in every form the docs name (a URL percent-encoded or not, key=value pairs,
/// through ORCHESTRATOR_DB or ORCHESTRATOR_DB_FILE), through every command that prints the database
/// (run, status, doctor, export, query, report) and the errors (unknown database, wrong password, a
/// URL that cannot be read, a password on the command line). The commands that should work do (so
/// the password really was read), and the password is in no stdout, stderr or row of the database.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class PasswordLeakTests
{
    public static readonly string[] Passwords =
    [
        "tiger@Secret42:x/y",
        "q?uo#te'd\"semi;eq=amp&plus+",
        "spa ce%zz%ünï€✓",
        "back\\slash$dollar`tick!bang",
    ];

    [Fact]
    public void No_password_in_any_form_shows_in_any_output_or_row()
    {
        var db = TestStore.Create(Backend.Postgres, "pwleak");
        var dir = db.Dir;
        var spec = TinySweep.Write(dir, "pwleak", ["model.hidden: [16]"], epochs: 1, maxSteps: 4, parallel: 1);
        var admin = OrchestratorCli.Run(dir.Path, "run", spec, "--plain", "--db", db.Db);
        Assert.True(admin.ExitCode == 0, admin.ToString());
        var name = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(db.Db, "test", commandLine: false).Value).Database!;

        var roles = new List<PostgresRole>();
        try
        {
            var setting = 0;
            var commands = new[] { "run", "status", "doctor", "export", "query", "report" };
            foreach (var password in Passwords)
            {
                var role = PostgresRole.Create("pw", password);
                roles.Add(role);
                GrantAll(db.Db, role.Name);
                foreach (var (form, env) in Forms(dir, role.Name, password, name))
                {
                    foreach (var command in new[] { commands[setting % commands.Length] }) // each command meets two passwords and two forms
                    {
                        var r = OrchestratorCli.Run(dir.Path, env, Args(command, spec, dir, setting));
                        Hidden(password, r.ToString(), $"`{command}` with {form}");
                        Assert.True(r.ExitCode == 0, $"`{command}` with {form}: " + r.ToString().Replace(password, "<PASSWORD>", StringComparison.Ordinal));
                    }
                    setting++;
                }

                // The errors, each exit 2, none repeating the password.
                var encoded = $"postgresql://{role.Name}:{Uri.EscapeDataString(password)}@localhost:5432/";
                foreach (var (what, env, args) in new (string, Dictionary<string, string>, string[])[]
                         {
                             ("an unknown database", Env(StoreLocation.DbVariable, encoded + "no_such_db"), ["status"]),
                             ("a wrong password", Env(StoreLocation.DbVariable, $"postgresql://orchestrator:{Uri.EscapeDataString(password)}@localhost:5432/{name}"), ["query", "SELECT 1"]),
                             ("a URL that cannot be read", Env(StoreLocation.DbVariable, $"postgresql://{role.Name}:{password}@localhost:54x32/{name}"), ["status", "--json"]),
                             ("a URL that cannot be read, in doctor", Env(StoreLocation.DbVariable, $"postgresql://{role.Name}:{password}@local host/{name}"), ["doctor", spec, "--steps", "0"]),
                             ("a password on the command line", Env("PGPASSWORD", ""), ["run", spec, "--db", encoded + name]),
                         })
                {
                    var r = OrchestratorCli.Run(dir.Path, env, args);
                    Hidden(password, r.ToString(), $"`{string.Join(' ', args)}` with {what}");
                    Assert.True(r.ExitCode == (args[0] == "doctor" ? 1 : 2), $"{what}: " + r.ToString().Replace(password, "<PASSWORD>", StringComparison.Ordinal));
                    Assert.Contains("error", r.StdErr + r.StdOut, StringComparison.OrdinalIgnoreCase);
                }
            }

            var rows = AllText(db.Db);
            Assert.Contains("pwleak", rows);
            foreach (var password in Passwords) Hidden(password, rows, "a row of the database");
            foreach (var file in Directory.EnumerateFiles(dir.Path, "*.db*", SearchOption.AllDirectories))
                foreach (var password in Passwords) Hidden(password, Encoding.UTF8.GetString(File.ReadAllBytes(file)), $"the exported database {file}");
        }
        finally
        {
            db.Dispose();
            foreach (var role in roles) role.Dispose();
        }
    }

    /// <summary>The forms a password may be given in, each as the environment of a command (no other password source).</summary>
    private static IEnumerable<(string Form, Dictionary<string, string> Env)> Forms(TempDir dir, string role, string password, string database)
    {
        var quoted = "'" + password.Replace("'", "''", StringComparison.Ordinal) + "'";
        yield return ("a percent-encoded URL in ORCHESTRATOR_DB",
            Env(StoreLocation.DbVariable, $"postgresql://{role}:{Uri.EscapeDataString(password)}@localhost:5432/{database}"));
        var file = dir.Write($"db-{role}.url", $"postgresql://{role}:{password}@localhost:5432/{database}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        yield return ("a URL not encoded in ORCHESTRATOR_DB_FILE", Env(StoreLocation.DbFileVariable, file));
        yield return ("key=value pairs in ORCHESTRATOR_DB",
            Env(StoreLocation.DbVariable, $"Host=localhost;Port=5432;Database={database};Username={role};Password={quoted}"));
    }

    private static Dictionary<string, string> Env(string name, string value) => new()
    {
        ["PGPASSFILE"] = "/dev/null", ["PGPASSWORD"] = "", [StoreLocation.DbVariable] = "", [StoreLocation.DbFileVariable] = "", [name] = value,
    };

    private static string[] Args(string command, string spec, TempDir dir, int n) => command switch
    {
        "run" => ["run", spec, "--plain"],
        "doctor" => ["doctor", spec, "--steps", "0"],
        "export" => ["export", "--to", dir.File($"export-{n}.db")],
        "query" => ["query", "SELECT * FROM sweeps"],
        "status" => ["status", "--json"],
        _ => [command],
    };

    private static void GrantAll(string url, string role)
    {
        var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value) { Pooling = false };
        using var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        c.Execute($"GRANT ALL ON SCHEMA public TO \"{role}\"; GRANT ALL ON ALL TABLES IN SCHEMA public TO \"{role}\"; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO \"{role}\"");
    }

    /// <summary>Every value of every table, as text (not escaped, so a password in it shows as itself).</summary>
    private static string AllText(string url)
    {
        var b = new NpgsqlConnectionStringBuilder(StoreLocation.Parse(url, "test", commandLine: false).Value) { Pooling = false };
        using var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        var sb = new StringBuilder();
        foreach (var table in c.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
            foreach (IDictionary<string, object?> row in c.Query($"SELECT * FROM \"{table}\""))
                foreach (var value in row.Values) sb.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value).Append('\n');
        return sb.ToString();
    }

    /// <summary>Fails if the password, or any 6 characters of it in a row (a password cut at a special character), shows in <paramref name="text"/>.</summary>
    private static void Hidden(string password, string text, string where)
    {
        const int piece = 6;
        for (var i = 0; i + piece <= password.Length; i++)
        {
            var part = password.Substring(i, piece);
            if (text.Contains(part, StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"the password (its part '{part}') shows in {where}: " + text.Replace(password, "<PASSWORD>", StringComparison.Ordinal));
        }
    }
}
