using System.Text;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The PostgreSQL password, given the way the docs say (a 0600 file named by ORCHESTRATOR_DB_FILE),
/// reaches the Runners through their environment and nowhere else: not the output, not `status`
/// (table or JSON), not `doctor` (table or JSON), not a row of the database, not the command line of any process on the machine
/// while the sweep runs. Failures say where it showed, never the password itself.
/// </summary>
[Collection("sweeps")]
public sealed class CredentialsTests
{
    [Fact]
    public void The_password_shows_in_no_output_no_row_and_no_command_line_while_a_sweep_runs()
    {
        var password = PostgresServer.PasswordFromPassfile()
                       ?? throw new Xunit.Sdk.XunitException($"no password for {PostgresServer.AdminUrl} in ~/.pgpass (or PGPASSFILE) or PGPASSWORD; deploy/postgres/local-server.sh writes one");
        using var db = TestStore.Create(Backend.Postgres, "secret");
        var dir = db.Dir;
        var spec = TinySweep.Write(dir, "secret", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"], epochs: 2, maxSteps: 40, parallel: 2);
        var withPassword = db.Db.Replace("orchestrator@", $"orchestrator:{Uri.EscapeDataString(password)}@", StringComparison.Ordinal);
        Assert.NotEqual(db.Db, withPassword);
        var file = dir.Write("db.url", withPassword + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The password can only come from the file: no password file, no PGPASSWORD.
        var env = new Dictionary<string, string> { [StoreLocation.DbFileVariable] = file, ["PGPASSFILE"] = "/dev/null", ["PGPASSWORD"] = "" };
        var store = new StoreProbe(db);

        var commandLines = new StringBuilder();
        var runnerLines = new List<string>();
        var runnerEnvironments = new List<string>();
        using (var run = OrchestratorCli.Start(dir.Path, env, "run", spec, "--plain"))
        {
            run.WaitUntil(() =>
            {
                foreach (var (pid, line) in AllCommandLines())
                {
                    commandLines.Append(pid).Append(": ").Append(line).Append('\n');
                    if (!line.Contains("Runner.dll train", StringComparison.Ordinal) || !line.Contains(db.Db, StringComparison.Ordinal)) continue;
                    runnerLines.Add(line);
                    try { runnerEnvironments.Add(File.ReadAllText($"/proc/{pid}/environ").Replace('\0', '\n')); }
                    catch (IOException) { /* it ended meanwhile */ }
                }
                return runnerLines.Count >= 2 && runnerEnvironments.Count >= 2;
            }, TimeSpan.FromMinutes(2), "two Runners seen running");
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)) == 0, run.Output.Replace(password, "<PASSWORD>", StringComparison.Ordinal));
            NotIn(password, run.Output, "the output of `run`");
        }

        // The Runners were told the database on their command line without the password, and got it by environment.
        Assert.All(runnerLines, l => Assert.Contains($"--db {db.Db} --results {dir.File("results")}", l));
        Assert.Contains(runnerEnvironments, e => e.Contains($"\nPGPASSWORD={password}\n", StringComparison.Ordinal) || e.StartsWith($"PGPASSWORD={password}\n", StringComparison.Ordinal));
        NotIn(password, commandLines.ToString(), "a process's command line (/proc/*/cmdline) while the sweep ran");

        Assert.All(store.Trials("secret"), t => Assert.Equal(TrialStates.Completed, t.State));
        var masked = db.Db.Replace("orchestrator@", "orchestrator:***@", StringComparison.Ordinal);
        foreach (var args in new[] { new[] { "status" }, ["status", "--json"], ["query", "SELECT * FROM attempts"], ["report"],
                                     ["doctor", spec, "--steps", "0"], ["doctor", spec, "--steps", "0", "--json"] })
        {
            var r = OrchestratorCli.Run(dir.Path, env, args);
            Assert.True(r.ExitCode == 0, r.ToString().Replace(password, "<PASSWORD>", StringComparison.Ordinal));
            NotIn(password, r.ToString(), $"the output of `{string.Join(' ', args)}`");
            if (args[0] == "doctor") Assert.Contains($"{masked} is writable", r.StdOut); // doctor wrote to it, and shows it masked
        }
        var status = OrchestratorCli.Run(dir.Path, env, "status", "nope");
        Assert.Contains($"in {masked}", status.StdErr); // shown masked
        NotIn(password, status.ToString(), "the error of `status nope`");

        var rows = string.Join('\n', StoreRows.Of(db.OpenReadOnly()));
        Assert.Contains("spec_yaml", rows);
        NotIn(password, rows, "a row of the database (sweeps.spec_yaml, attempts, …)");
        foreach (var f in Directory.EnumerateFiles(dir.File("results"), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".ckpt", StringComparison.Ordinal)))
            NotIn(password, File.ReadAllText(f), $"the results file {f}");
    }

    private static void NotIn(string password, string text, string where)
    {
        if (!text.Contains(password, StringComparison.Ordinal)) return;
        var at = text.IndexOf(password, StringComparison.Ordinal);
        var excerpt = text.Substring(Math.Max(0, at - 80), Math.Min(text.Length - Math.Max(0, at - 80), 160 + password.Length)).Replace(password, "<PASSWORD>", StringComparison.Ordinal);
        throw new Xunit.Sdk.XunitException($"the password appears in {where}: …{excerpt}…");
    }

    /// <summary>Every process's command line on this machine (Linux /proc).</summary>
    private static IEnumerable<(int Pid, string Line)> AllCommandLines()
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            string line;
            try { line = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Trim(); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            yield return (pid, line);
        }
    }
}
