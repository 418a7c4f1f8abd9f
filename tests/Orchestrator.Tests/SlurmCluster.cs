using System.Diagnostics;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The local one-node Slurm cluster (deploy/slurm/local-cluster.sh) as the Slurm tests use it: they
/// fail, saying how to start it, when it does not answer. Runs Slurm's own tools as child processes.
/// </summary>
internal static class SlurmCluster
{
    /// <summary>Fails the test unless sinfo shows a node that takes jobs.</summary>
    public static void RequireRunning()
    {
        ProcessResult r;
        try
        {
            r = Tool("sinfo", "-h", "-o", "%T");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Slurm is not installed here ({e.Message}): start the local one-node cluster with deploy/slurm/local-cluster.sh (as root), then run the tests again");
        }
        var states = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (r.ExitCode != 0 || !states.Any(s => s is "idle" or "mixed" or "allocated" or "completing"))
            throw new Xunit.Sdk.XunitException($"the Slurm cluster is not running (sinfo: exit {r.ExitCode}, '{r.StdOut.Trim()}{r.StdErr.Trim()}'): "
                                               + "start it with deploy/slurm/local-cluster.sh (as root), then run the tests again");
    }

    /// <summary>Runs a Slurm tool (or any program on the PATH) to its end.</summary>
    public static ProcessResult Tool(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return ChildProcess.Run(psi, TimeSpan.FromMinutes(1));
    }

    /// <summary>The array tasks of a job as squeue shows them: (task name JOB_TASK, state).</summary>
    public static IReadOnlyList<(string Task, string State)> Tasks(string jobId)
    {
        var r = Tool("squeue", "-h", "-r", "--states=all", "-j", jobId, "-o", "%F_%K|%T");
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|')).Select(f => (f[0], f[1])).ToList();
    }

    /// <summary>The execution lines of a sweep run by Slurm workers on the local cluster (one CPU and 1 GB each, so several run at once).</summary>
    public static string[] Execution(int? workers = null, string partition = "debug") =>
    [
        "executor: slurm",
        "slurm:",
        $"  partition: {partition}",
        "  cpus_per_task: 1",
        "  mem: 1G",
        "  time: \"15:00\"",
        "  signal_seconds: 60",
        .. workers is { } k ? [$"  workers: {k}"] : Array.Empty<string>(),
    ];
}

/// <summary>
/// A sweep of tiny trials for the Slurm tests, in a temp folder, on a store of either engine (a
/// fresh PostgreSQL database for <see cref="Backend.Postgres"/>), with a name the cluster's queue
/// shows as <c>orch-slurm-WHAT-xxxxxx</c>. Its job script and worker logs are in
/// <c>results/slurm/NAME/</c> on both engines (beside the SQLite file; under --results for PostgreSQL).
/// Dispose cancels whatever of its jobs is still queued, then drops the store.
/// </summary>
internal sealed class SlurmSweep : IDisposable
{
    public SlurmSweep(string what, string[] grid, int parallel, int? workers = null, int epochs = 2, int maxSteps = 12, int checkpointEvery = 4, int hidden = 16,
        Backend backend = Backend.Sqlite, string[]? sections = null)
    {
        SlurmCluster.RequireRunning();
        Db = TestStore.Create(backend, $"slurm-{what}");
        Name = $"slurm-{what}-{Guid.NewGuid():N}"[..(7 + what.Length + 6)];
        Spec = TinySweep.Write(Dir, Name, grid, epochs: epochs, maxSteps: maxSteps, checkpointEvery: checkpointEvery, parallel: parallel,
            leaseSeconds: 10, execution: SlurmCluster.Execution(workers), hidden: hidden, sections: sections);
        Store = new StoreProbe(Db);
    }

    /// <summary>The store: a SQLite file at results/orchestrator.db, or a PostgreSQL database of this test's own.</summary>
    public TestStore Db { get; }
    public TempDir Dir => Db.Dir;
    public string Name { get; }
    public string Spec { get; }
    public StoreProbe Store { get; }

    /// <summary>Runs the orchestrator in the sweep's folder with <c>--db</c> naming its store, as a user does.</summary>
    public ProcessResult Cli(params string[] args) => OrchestratorCli.Run(Dir.Path, [.. args, .. Db.DbOption]);

    /// <summary>Starts the orchestrator in the background, as <see cref="Cli"/>.</summary>
    public OrchestratorCli.Background Start(params string[] args) => OrchestratorCli.Start(Dir.Path, null, [.. args, .. Db.DbOption]);

    /// <summary>The job arrays recorded for the sweep (slurm_jobs), oldest first.</summary>
    public IReadOnlyList<SlurmJobRow> Jobs => Store.Query<SlurmJobRow>("SELECT * FROM slurm_jobs WHERE sweep = @Name ORDER BY submitted_at", new { Name });

    /// <summary>(attempt, outcome, reason, slurm_job) of each attempt of a trial.</summary>
    public IReadOnlyList<(long Attempt, string? Outcome, string? Reason, string? SlurmJob)> Attempts(string trialId) =>
        Store.Query<(long, string?, string?, string?)>("SELECT attempt, outcome, reason, slurm_job FROM attempts WHERE trial_id = @trialId ORDER BY attempt", new { trialId });

    /// <summary>The array task running a trial's current attempt, once its worker recorded it.</summary>
    public string? TaskOf(string trialId) =>
        Store.Query<string?>("SELECT a.slurm_job FROM trials t JOIN attempts a ON a.trial_id = t.trial_id AND a.attempt = t.attempt WHERE t.trial_id = @trialId",
            new { trialId }).SingleOrDefault();

    /// <summary>The folder of the sweep's job script and worker logs.</summary>
    public string SlurmFolder => Dir.File($"results/slurm/{Name}");

    /// <summary>A worker task's log (the job script's --output).</summary>
    public string Log(string task) => File.ReadAllText(Path.Combine(SlurmFolder, $"{task}.out"));

    public void Dispose()
    {
        try
        {
            if (Store.Ready)
            {
                var ids = Jobs.Select(j => j.JobId).ToArray();
                if (ids.Length > 0)
                {
                    SlurmCluster.Tool("scancel", ids);
                    // Let the cancelled workers end before their database goes.
                    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                    while (DateTime.UtcNow < deadline && ids.SelectMany(SlurmCluster.Tasks).Any(t => t.State is "RUNNING" or "COMPLETING" or "PENDING"))
                        Thread.Sleep(250);
                }
            }
        }
        finally
        {
            Db.Dispose();
        }
    }
}
