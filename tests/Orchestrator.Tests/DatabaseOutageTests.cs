using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A database that blinks in the middle of a sweep (issue 17 §1), on a PostgreSQL server of the
/// test's own (<see cref="PrivatePostgres"/>), so stopping it touches no other test: stopped for
/// <see cref="Outage"/> (8 s, to keep the suite fast: longer than the trials' lease, so leases run
/// out meanwhile), or its backends terminated. The sweep rides it out with no rerun: every trial
/// completes on its first attempt, nothing is recorded twice, and the metrics are those of the same
/// spec run without an outage.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "PostgreSQL")]
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    /// <summary>Metrics that depend on the clock, not on training.</summary>
    private static readonly string[] Timing = [MetricNames.CharsPerSec, MetricNames.EpochSeconds];

    [Fact]
    public void A_local_sweep_rides_out_a_postgres_restart_and_records_what_an_uninterrupted_run_records()
    {
        using var pg = PrivatePostgres.Start();
        using var dir = new TempDir("outage");
        var spec = Spec(dir);
        var reference = Run(dir, spec, pg.CreateDatabase("reference"), "reference");
        var url = pg.CreateDatabase("blink");

        var probe = new StoreProbe(url);
        using var run = StartMidTraining(dir, spec, probe, url);
        pg.Stop();
        Thread.Sleep(Outage);
        pg.StartServer();
        var rc = run.WaitForExit(TimeSpan.FromMinutes(4));
        Npgsql.NpgsqlConnection.ClearAllPools(); // this test's own probe connections went with the server

        Assert.True(rc == 0, run.Output);
        Assert.Contains("does not answer", run.Output); // the user is told, and told when it is back
        Assert.Contains("answers again", run.Output);
        AssertSameAsUninterrupted(reference, probe, run.Output);
    }

    [Fact]
    public void A_local_sweep_rides_out_its_backends_being_terminated()
    {
        using var pg = PrivatePostgres.Start();
        using var dir = new TempDir("outage");
        var spec = Spec(dir);
        var reference = Run(dir, spec, pg.CreateDatabase("reference"), "reference");
        var url = pg.CreateDatabase("terminated");

        var probe = new StoreProbe(url);
        using var run = StartMidTraining(dir, spec, probe, url);
        // As `query "SELECT pg_terminate_backend(pid) …"` did in the issue: every connection of the sweep, a few times over.
        var terminated = 0;
        for (var i = 0; i < 5 && !run.HasExited; i++)
        {
            terminated += pg.TerminateBackends("terminated");
            Thread.Sleep(700);
        }
        var rc = run.WaitForExit(TimeSpan.FromMinutes(4));
        Npgsql.NpgsqlConnection.ClearAllPools(); // this test's own probe connections were terminated too

        Assert.True(terminated > 0, "no backend was terminated: the test did not test anything\n" + run.Output);
        Assert.True(rc == 0, run.Output);
        AssertSameAsUninterrupted(reference, probe, run.Output);
    }

    [Fact]
    [Trait("Needs", "Slurm")]
    public void A_slurm_sweep_rides_out_a_postgres_restart_with_no_failed_array_task()
    {
        SlurmCluster.RequireRunning();
        using var pg = PrivatePostgres.Start();
        using var dir = new TempDir("outage-slurm");
        var spec = TinySweep.Write(dir, "blink", ["model.hidden: [16, 24]"], epochs: 3, maxSteps: 30, checkpointEvery: 10, parallel: 2, leaseSeconds: 4,
            execution: SlurmCluster.Execution());
        var reference = Run(dir, spec, pg.CreateDatabase("reference"), "reference", "--executor", "local");
        var url = pg.CreateDatabase("blink");
        var probe = new StoreProbe(url);
        try
        {
            using var run = StartMidTraining(dir, spec, probe, url);
            pg.Stop();
            Thread.Sleep(Outage);
            pg.StartServer();
            var rc = run.WaitForExit(TimeSpan.FromMinutes(5));
            Npgsql.NpgsqlConnection.ClearAllPools();

            Assert.True(rc == 0, run.Output);
            var job = Assert.Single(probe.Query<string>("SELECT job_id FROM slurm_jobs"));
            // The sweep is done when its trials are; the workers end a moment later.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            var tasks = SlurmCluster.Tasks(job);
            while (tasks.Any(t => t.State is "RUNNING" or "COMPLETING" or "PENDING") && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
                tasks = SlurmCluster.Tasks(job);
            }
            Assert.NotEmpty(tasks);
            Assert.All(tasks, t => Assert.True(t.State == "COMPLETED", $"{t.Task} is {t.State}\n{run.Output}"));
            // The workers met the outage (their logs say so) and waited it out.
            var logs = tasks.Select(t => File.ReadAllText(dir.File($"results/slurm/blink/{t.Task}.out"))).ToList();
            Assert.Contains(logs, l => l.Contains("does not answer", StringComparison.Ordinal));
            AssertSameAsUninterrupted(reference, probe, run.Output);
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            if (probe.Ready) SlurmCluster.Tool("scancel", [.. probe.Query<string>("SELECT job_id FROM slurm_jobs")]);
        }
    }

    [Fact]
    public void Past_the_window_run_stops_cleanly_naming_the_database_and_running_it_again_completes_the_sweep()
    {
        using var pg = PrivatePostgres.Start();
        using var dir = new TempDir("outage");
        var spec = TinySweep.Write(dir, "blink", ["model.hidden: [16, 24]"], epochs: 3, maxSteps: 30, checkpointEvery: 10, parallel: 2, leaseSeconds: 4,
            execution: ["db_outage_seconds: 3"]);
        var url = pg.CreateDatabase("gone");
        var probe = new StoreProbe(url);

        using (var run = StartMidTraining(dir, spec, probe, url, trials: 2))
        {
            pg.Stop(); // and it stays away for longer than the window
            var rc = run.WaitForExit(TimeSpan.FromMinutes(2));

            Assert.True(rc == 75, run.Output);
            Assert.Contains($"error: the database {url} could not be used for 3 s (the outage window)", run.Output);
            Assert.Contains("run the same command again", run.Output);
            Assert.DoesNotContain("   at ", run.Output); // a message, not a stack trace
        }
        // Its Runners saw the window pass too: each saved the checkpoint of the step it reached to disk, left a note of it beside, and exited.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (ProcessTree.RunnersOf(url).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(200);
        Assert.Empty(ProcessTree.RunnersOf(url));
        var notes = Directory.GetFiles(dir.File("results/checkpoints"), OutageInterruption.FileName, SearchOption.AllDirectories)
            .Select(f => System.Text.Json.JsonSerializer.Deserialize<OutageInterruption>(File.ReadAllText(f))!).ToList();
        // (A Runner the outage met outside its training loop, recording its start or its sample, has no checkpoint to save.)
        Assert.Contains(notes, n => n.Checkpoint is not null);
        Assert.All(notes.Where(n => n.Checkpoint is not null), n => Assert.True(File.Exists(dir.File($"results/{n.Checkpoint!.Path}")), $"{n.TrialId}: its saved checkpoint is missing"));

        pg.StartServer();
        Npgsql.NpgsqlConnection.ClearAllPools();
        // Nothing was failed, and the interrupted trials are still marked running: the database heard nothing of the interruption.
        Assert.All(probe.Trials("blink"), t => Assert.NotEqual(TrialStates.Failed, t.State));
        Assert.All(notes, n => Assert.Equal(TrialStates.Running, probe.Trials("blink").Single(t => t.TrialId == n.TrialId).State));

        var again = OrchestratorCli.Run(dir.Path, "run", spec, "--db", url, "--results", dir.File("results"), "--plain");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("interrupted by a database outage in an earlier run", again.ToString());
        Assert.All(probe.Trials("blink"), t => Assert.Equal(TrialStates.Completed, t.State));
        Assert.Equal(0, probe.DuplicateMetricKeys());
        Assert.Empty(Directory.GetFiles(dir.File("results/checkpoints"), OutageInterruption.FileName, SearchOption.AllDirectories));
        foreach (var note in notes)
        {
            // Released at once by the rerun, not taken over when the lease ran out (that closes the attempt as "abandoned"); not a failure.
            var attempts = probe.Attempts(note.TrialId);
            Assert.Equal(["interrupted", "completed"], attempts.Select(a => a.Outcome));
            Assert.Contains("interrupted by a database outage", attempts[0].Reason);
            if (note.Checkpoint is { } saved)
            {
                Assert.Contains($"{saved.Name} was saved during it", attempts[0].Reason);
                // Nothing lost: the checkpoint saved during the outage was recorded and resumed from (a rerun that trained past it again would have replaced it).
                var recorded = Assert.Single(probe.Checkpoints(note.TrialId), c => c.Name == saved.Name);
                Assert.Equal((saved.Sha256, saved.CreatedAt), (recorded.Sha256, recorded.CreatedAt));
            }
            // and every logged step of every epoch is there, once.
            Assert.Equal(Enumerable.Range(1, 45).Select(i => 2L * i), probe.Metrics(note.TrialId, MetricNames.TrainLoss).Select(m => m.Step));
            Assert.Equal([30L, 60, 90], probe.Metrics(note.TrialId, MetricNames.ValLoss).Select(m => m.Step));
        }
    }

    [Fact]
    public void Query_rides_out_a_terminated_backend_before_its_first_row_and_never_repeats_rows_after_it()
    {
        using var store = TestStore.Create(Backend.Postgres, "outage-query");
        _ = Database.Open(store.Db); // the tool's tables, which `query` requires
        var database = store.Db[(store.Db.LastIndexOf('/') + 1)..];
        int Terminate() => PostgresServer.Admin(c => Dapper.SqlMapper.Query<bool>(c,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid() AND query LIKE '%generate_series%'",
            new { database }).Count());

        // Before the first row: the statement is run again on a new connection, and its one row is printed once.
        using (var q = OrchestratorCli.Start(store.Dir.Path, null, "query", "--db", store.Db, "--format", "csv",
                   "SELECT n AS answer FROM generate_series(42, 42) n, LATERAL pg_sleep(2) s"))
        {
            var terminated = 0;
            q.WaitUntil(() => (terminated += Terminate()) > 0, TimeSpan.FromSeconds(30), "the query runs on the server");
            Assert.True(q.WaitForExit(TimeSpan.FromMinutes(1)) == 0, q.Output);
            Assert.Equal(["answer", "42"], q.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        // After rows went out: not tried again (that would print them twice); exit 75, and the output is said to be incomplete.
        using (var q = OrchestratorCli.Start(store.Dir.Path, null, "query", "--db", store.Db, "--format", "csv",
                   "SELECT n, repeat('x', 200) AS pad FROM generate_series(1, 100000) n, LATERAL pg_sleep(0.001 + n * 0) s"))
        {
            q.WaitUntil(() => q.StdOutLines > 1000, TimeSpan.FromSeconds(30), "the first rows are printed"); // in chunks: the server's and the output's buffers
            Assert.True(Terminate() > 0, q.Output);
            Assert.True(q.WaitForExit(TimeSpan.FromMinutes(1)) == 75, q.Output);
            Assert.Contains($"error: the database {store.Db} stopped answering after", q.Output);
            Assert.Contains("the output is incomplete: run the query again once the database answers", q.Output);
            var rows = q.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => long.Parse(r.Split(',')[0])).ToList();
            Assert.Equal(Enumerable.Range(1, rows.Count).Select(i => (long)i), rows); // each row once, in order
        }
    }

    /// <summary>Two tiny trials, long enough (3 epochs of 30 steps) that an outage lands while they train; a short lease (4 s) runs out during it.</summary>
    private static string Spec(TempDir dir) =>
        TinySweep.Write(dir, "blink", ["model.hidden: [16, 24]"], epochs: 3, maxSteps: 30, checkpointEvery: 10, parallel: 2, leaseSeconds: 4);

    private static StoreProbe Run(TempDir dir, string spec, string url, string results, params string[] more)
    {
        var result = OrchestratorCli.Run(dir.Path, ["run", spec, "--db", url, "--results", dir.File(results), "--plain", .. more]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return new StoreProbe(url);
    }

    /// <summary>Starts <c>run</c> in the background and returns once its trials train and record metrics.</summary>
    /// <param name="trials">How many trials must have recorded metrics.</param>
    private static OrchestratorCli.Background StartMidTraining(TempDir dir, string spec, StoreProbe probe, string url, int trials = 1)
    {
        var run = OrchestratorCli.Start(dir.Path, null, "run", spec, "--db", url, "--results", dir.File("results"), "--plain");
        try
        {
            run.WaitUntil(() => Training(probe, trials), TimeSpan.FromMinutes(4), "the trials train and record metrics");
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Metrics of <paramref name="trials"/> trials are recorded and the sweep is not done: the outage lands mid-training.</summary>
    private static bool Training(StoreProbe probe, int trials)
    {
        if (!probe.Ready) return false;
        try
        {
            return probe.Query<long>("SELECT COUNT(DISTINCT trial_id) FROM metrics")[0] >= trials;
        }
        catch (Exception e) when (e is StoreException or System.Data.Common.DbException)
        {
            return false; // the schema is being created
        }
    }

    private static void AssertSameAsUninterrupted(StoreProbe reference, StoreProbe probe, string output)
    {
        var trials = probe.Trials("blink");
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.True(t.State == TrialStates.Completed, $"{t.TrialId} is {t.State}\n{output}");
            // Rode it out: the first attempt completed; no Runner died, nothing was retried or resumed.
            Assert.Equal(["completed"], probe.Attempts(t.TrialId).Select(a => a.Outcome));
        });
        Assert.Equal(0, probe.DuplicateMetricKeys());
        Assert.Equal(Metrics(reference), Metrics(probe));
        Assert.Equal(Checkpoints(reference), Checkpoints(probe));
    }

    private static List<string> Metrics(StoreProbe probe) =>
        probe.Query<(string TrialId, string Name, long Step, double Value)>(
                "SELECT trial_id, name, step, value FROM metrics ORDER BY trial_id, name, step")
            .Where(m => !Timing.Contains(m.Name))
            .Select(m => $"{m.TrialId} {m.Name} {m.Step} {m.Value:R}").ToList();

    private static List<string> Checkpoints(StoreProbe probe) =>
        probe.Query<(string TrialId, string Name, long Step)>("SELECT trial_id, name, step FROM checkpoints ORDER BY trial_id, name")
            .Select(c => $"{c.TrialId} {c.Name} {c.Step}").ToList();
}
