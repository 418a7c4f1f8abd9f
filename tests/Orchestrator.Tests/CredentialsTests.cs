using System.Text;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The PostgreSQL password, given the way the docs say (a 0600 file named by ORCHESTRATOR_DB_FILE),
/// reaches the Runners (and, with the slurm executor, the workers on the cluster) through their
/// environment and nowhere else: not the output, not `status` or `doctor` (table or JSON), not a row
/// of the database, not the command line of any process on the machine while the sweep runs, not a
/// Slurm job script (as written, and as the cluster holds it) or worker log. Failures say where it
/// showed, never the password itself.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class CredentialsTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("slurm")]
    public void The_password_shows_in_no_output_no_row_and_no_command_line_while_a_sweep_runs(string executor)
    {
        var password = PostgresServer.PasswordFromPassfile()
                       ?? throw new Xunit.Sdk.XunitException($"no password for {PostgresServer.AdminUrl} in ~/.pgpass (or PGPASSFILE) or PGPASSWORD; deploy/postgres/local-server.sh writes one");
        var slurm = executor == "slurm";
        if (slurm) SlurmCluster.RequireRunning();
        using var db = TestStore.Create(Backend.Postgres, "secret");
        var dir = db.Dir;
        var sweep = slurm ? $"secret-{Guid.NewGuid():N}"[..13] : "secret";
        var spec = TinySweep.Write(dir, sweep, ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"], epochs: 2, maxSteps: 40, parallel: 2,
            execution: slurm ? SlurmCluster.Execution() : null);
        var withPassword = db.Db.Replace("orchestrator@", $"orchestrator:{Uri.EscapeDataString(password)}@", StringComparison.Ordinal);
        Assert.NotEqual(db.Db, withPassword);
        var file = dir.Write("db.url", withPassword + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The password can only come from the file: no password file, no PGPASSWORD. Slurm's workers
        // get this environment too (sbatch's --export=ALL), so theirs can only come from the orchestrator.
        var env = new Dictionary<string, string> { [StoreLocation.DbFileVariable] = file, ["PGPASSFILE"] = "/dev/null", ["PGPASSWORD"] = "" };
        var store = new StoreProbe(db);
        var results = dir.File("results");

        var commandLines = new StringBuilder();
        var runnerLines = new List<string>();
        var runnerEnvironments = new List<string>();
        var workerLines = new List<string>();
        var workerEnvironments = new List<string>();
        try
        {
            using (var run = OrchestratorCli.Start(dir.Path, env, "run", spec, "--plain"))
            {
                run.WaitUntil(() =>
                {
                    foreach (var (pid, line) in AllCommandLines())
                    {
                        commandLines.Append(pid).Append(": ").Append(line).Append('\n');
                        if (!line.Contains(db.Db, StringComparison.Ordinal)) continue;
                        var (lines, environments) = line.Contains("Runner.dll train", StringComparison.Ordinal) ? (runnerLines, runnerEnvironments)
                            : line.Contains("orchestrator.dll worker", StringComparison.Ordinal) ? (workerLines, workerEnvironments)
                            : (null, null);
                        if (lines is null || environments is null) continue;
                        lines.Add(line);
                        try { environments.Add("\n" + File.ReadAllText($"/proc/{pid}/environ").Replace('\0', '\n')); }
                        catch (IOException) { /* it ended meanwhile */ }
                    }
                    return runnerLines.Count >= 2 && runnerEnvironments.Count >= 2 && (!slurm || workerEnvironments.Count >= 2);
                }, TimeSpan.FromMinutes(2), slurm ? "two workers and two Runners seen running" : "two Runners seen running");
                Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)) == 0, run.Output.Replace(password, "<PASSWORD>", StringComparison.Ordinal));
                NotIn(password, run.Output, "the output of `run`");
            }

            // The Runners (and Slurm's workers) were told the database on their command line without the password, and got it by environment.
            Assert.All(runnerLines, l => Assert.Contains($"--db {db.Db} --results {results}", l));
            Assert.Contains(runnerEnvironments, e => e.Contains($"\nPGPASSWORD={password}\n", StringComparison.Ordinal));
            if (slurm)
            {
                Assert.All(workerLines, l => Assert.Contains($" worker --db {db.Db} --results {results} --sweep {sweep}", l));
                Assert.All(workerEnvironments, e => Assert.Contains($"\nPGPASSWORD={password}\n", e));
            }
            NotIn(password, commandLines.ToString(), "a process's command line (/proc/*/cmdline) while the sweep ran");

            Assert.All(store.Trials(sweep), t => Assert.Equal(TrialStates.Completed, t.State));
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
            // Every file the sweep wrote: reports, and for Slurm its job script and every worker's log (results/slurm/SWEEP/).
            foreach (var f in Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".ckpt", StringComparison.Ordinal)))
                NotIn(password, File.ReadAllText(f), $"the results file {f}");

            if (slurm)
            {
                var slurmFolder = Path.Combine(results, "slurm", sweep);
                var script = File.ReadAllText(Path.Combine(slurmFolder, "worker.sbatch"));
                Assert.Contains($" worker --db {db.Db} --results {results} --sweep {sweep}", script);
                var logs = Directory.GetFiles(slurmFolder, "*.out");
                Assert.NotEmpty(logs);
                Assert.Contains(logs, l => File.ReadAllText(l).Contains($"database {db.Db}", StringComparison.Ordinal));
                // The job as the cluster holds it: its script and its record.
                foreach (var job in SlurmJobs(store, sweep))
                {
                    var held = SlurmCluster.Tool("scontrol", "write", "batch_script", job, "-");
                    Assert.True(held.ExitCode == 0, held.ToString());
                    Assert.Contains($"--sweep {sweep}", held.StdOut);
                    NotIn(password, held.ToString(), $"the job script Slurm holds for job {job} (scontrol write batch_script)");
                    var shown = SlurmCluster.Tool("scontrol", "show", "job", "-d", job);
                    NotIn(password, shown.ToString(), $"scontrol show job {job}");
                }
            }
        }
        finally
        {
            if (slurm && store.Ready && SlurmJobs(store, sweep) is { Count: > 0 } jobs) SlurmCluster.Tool("scancel", [.. jobs]);
        }
    }

    private static IReadOnlyList<string> SlurmJobs(StoreProbe store, string sweep) =>
        store.Query<string>("SELECT job_id FROM slurm_jobs WHERE sweep = @sweep", new { sweep });

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
