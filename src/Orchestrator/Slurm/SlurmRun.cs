using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Planning;
using Orchestrator.Queries;
using Orchestrator.Runs;
using Orchestrator.Scheduling;

namespace Orchestrator.Slurm;

/// <summary>
/// What <c>run</c> takes for the slurm executor from its command line: the store, trials at once
/// (null: execution.parallel), whether failed trials go back to pending first, whether to return
/// once submitted, and where the executor setting came from (named in errors).
/// </summary>
internal sealed record SlurmRunOptions(StoreLocation Store, string ResultsFolder, int? Parallel, bool RetryFailed, bool Detach, string ExecutorSetting,
    bool NoEarlyStopping = false);

/// <summary>How a Slurm run ended.</summary>
internal enum SlurmRunEnd
{
    /// <summary>Every trial was completed or failed already: nothing was submitted.</summary>
    NothingToRun,
    /// <summary>The workers are submitted (--detach): they run on.</summary>
    Detached,
    /// <summary>Every trial is completed or failed.</summary>
    Finished,
    /// <summary>The user stopped following; the jobs run on.</summary>
    StoppedFollowing,
    /// <summary>No job of the sweep is left, trials are unfinished, and worker tasks failed.</summary>
    WorkersFailed,
    /// <summary>No job of the sweep is left and trials are unfinished (cancelled, or stopped at a time limit).</summary>
    NoJobLeft,
}

/// <summary>
/// The end of a Slurm run: how it ended, the sweep's counts then (null when nothing was followed),
/// the failed worker tasks, the best completed trial, and where the workers' logs are.
/// </summary>
internal sealed record SlurmRunResult(SlurmRunEnd End, string Sweep, SweepCounts? Counts, int Failed, IReadOnlyList<SlurmTask> FailedTasks, BestTrial? Best, string LogFolder);

/// <summary>
/// <c>run SPEC</c> with the slurm executor: checks the job with sbatch before anything is recorded,
/// records the sweep, submits its workers as job arrays (split below the cluster's MaxArraySize),
/// and follows them (store + squeue) until every trial is completed or failed or no job is left;
/// with --detach it returns once they are submitted. docs/cluster.md describes it.
/// </summary>
internal static class SlurmRun
{
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    /// <param name="follow">What to tell while following the workers (made for the log folder of <see cref="Script"/>).</param>
    public static async Task<SlurmRunResult> ExecuteAsync(SweepSpec spec, SlurmRunOptions options, IRunLog log, IFollowObserver follow, CancellationToken cancellationToken)
    {
        var slurm = SlurmCommands.Locate(
            $"the slurm executor ({options.ExecutorSetting}) submits workers with sbatch",
            "or run the sweep on this machine with --executor local");
        var store = options.Store;
        if (store.Kind == StoreKind.Sqlite && StorePlacement.NetworkMount(store.SqlitePath) is { } mount)
            throw new NetworkDatabaseException(store.SqlitePath, mount, Executors.Slurm);
        RunnerCommand.Locate(); // the workers start the Runner beside this orchestrator (shared file system): it must be built

        var script = Script(spec, store, options.ResultsFolder, options.NoEarlyStopping);
        var logFolder = script.LogFolder;
        try
        {
            // The cluster judges partition, account, time and resources before anything is recorded.
            slurm.Submit(["--array=0"], scriptPath: null, script.Text, testOnly: true);
        }
        catch (SlurmCommandException e) when (e.Tool == "sbatch" && e.ExitCode > 0)
        {
            throw SlurmRefusedException.From(e, slurm.Partitions(), spec.Path);
        }

        if (JobEnvironment.DroppedPassword(store, spec.Execution.Slurm, spec.Path) is { } dropped) log.Warning(dropped);

        var db = Database.Open(store, options.ResultsFolder);
        db.Outage = OutagePolicy.For(spec.Execution.DbOutage);
        db.OnOutage = log.Warning;
        var registration = SweepPlan.Register(db, spec, options.RetryFailed, options.NoEarlyStopping);
        log.Info(registration.Line(db.Path, options.RetryFailed, options.NoEarlyStopping));
        foreach (var line in registration.EditLines(spec)) log.Info(line);
        await Corpora.EnsureAsync(db, spec, log.Info, cancellationToken);

        SlurmRunResult Result(SlurmRunEnd end, SweepCounts? counts = null, int? failed = null, IReadOnlyList<SlurmTask>? failedTasks = null) =>
            new(end, spec.Name, counts, failed ?? counts?.Failed ?? registration.Failed, failedTasks ?? [], BestTrial.Of(db, spec.Name), logFolder);

        if (registration.ToRun == 0) return Result(SlurmRunEnd.NothingToRun);
        var jobs = new SlurmJobRepository(db);
        var earlier = jobs.Jobs(spec.Name);
        var queued = slurm.Queue(earlier.Select(j => j.JobId).ToList());
        var live = queued.Where(t => !t.IsFinal).ToList();
        // This run follows its own tasks: the ones it submits, or the earlier ones still queued or running that it leaves the trials to.
        var followed = live.Select(t => t.ArrayJobId).Distinct().ToList();
        if (EarlierJobsLine(earlier, queued, followed) is { } earlierLine) log.Info(earlierLine);
        if (live.Count > 0)
        {
            log.Info($"sweep {spec.Name} already has {live.Count} worker task(s) queued or running (job {string.Join(", ", followed)}); "
                     + "submitting none, they take the pending trials");
        }
        else
        {
            followed = Submit(slurm, jobs, script, spec, options.Parallel, registration.ToRun, log);
        }

        if (options.Detach) return Result(SlurmRunEnd.Detached);

        // Ctrl+C stops following only: the jobs are the cluster's now (`orchestrator cancel` stops them).
        using var signals = new StopOnSignals(cancellationToken, _ => { }, signal => log.Info($"{signal} again: already stopping following; the jobs run on"));
        var o = await new SlurmFollower(db, slurm, follow, FollowInterval).FollowAsync(spec.Name, followed, signals.Graceful);
        if (o.Counts.Finished)
        {
            // Workers that have not started would only find nothing to claim: free their place in the queue.
            var waiting = o.Tasks.Where(t => t.State == SlurmJobStates.Pending).ToList();
            if (waiting.Count > 0)
            {
                slurm.Cancel(waiting.Select(t => t.ArrayJobId).Distinct().ToList(), pendingOnly: true);
                log.Info($"cancelled {waiting.Count} worker task(s) still waiting in the queue: nothing is left for them");
            }
            return Result(SlurmRunEnd.Finished, o.Counts);
        }
        if (o.Stopped) return Result(SlurmRunEnd.StoppedFollowing, o.Counts);
        var broken = o.Tasks.Where(t => SlurmJobStates.Broken.Contains(t.State)).ToList();
        return broken.Count > 0 ? Result(SlurmRunEnd.WorkersFailed, o.Counts, failedTasks: broken) : Result(SlurmRunEnd.NoJobLeft, o.Counts);
    }

    /// <summary>
    /// One line about the sweep's earlier jobs that squeue still shows and this run does not follow,
    /// their tasks counted as a user counts them: "earlier job of this sweep: 4242 (--array=0-17%4) ended: 4 CANCELLED, 14 cancelled before starting";
    /// null when there is none.
    /// </summary>
    private static string? EarlierJobsLine(IReadOnlyList<SlurmJobRow> earlier, IReadOnlyList<SlurmTask> queued, IReadOnlyList<string> followed)
    {
        var shown = earlier.Where(j => !followed.Contains(j.JobId) && queued.Any(t => t.ArrayJobId == j.JobId))
            .Select(j => $"{j.JobId} (--array={j.Array}) ended: {SlurmTaskCounts.Describe(j.Array, queued.Where(t => t.ArrayJobId == j.JobId))}").ToList();
        return shown.Count == 0 ? null : $"earlier job{(shown.Count == 1 ? "" : "s")} of this sweep: {string.Join("; ", shown)}";
    }

    /// <summary>The job script of the sweep's workers, as this run would submit it.</summary>
    public static JobScript Script(SweepSpec spec, StoreLocation store, string resultsFolder, bool noEarlyStopping = false) =>
        new(spec.Name, spec.Execution.Slurm, store, resultsFolder, OrchestratorProcess.Command(), Environment.CurrentDirectory, noEarlyStopping);

    /// <summary>Submits the workers (one job array per chunk) and returns the job ids.</summary>
    private static List<string> Submit(SlurmCommands slurm, SlurmJobRepository jobs, JobScript script, SweepSpec spec, int? parallel, int toRun, IRunLog log)
    {
        var workers = spec.Execution.Slurm.Workers ?? toRun;
        var atOnce = parallel ?? spec.Execution.Parallel;
        var maxArraySize = slurm.MaxArraySize();
        var chunks = ArrayPlan.Split(workers, atOnce, maxArraySize);

        Directory.CreateDirectory(script.LogFolder); // Slurm does not create the folder of --output
        var scriptPath = Path.Combine(script.LogFolder, "worker.sbatch");
        File.WriteAllText(scriptPath, script.Text);
        if (chunks.Count > 1)
            log.Info($"{workers} workers exceed this cluster's MaxArraySize ({maxArraySize}): submitting {chunks.Count} job arrays");

        var ids = new List<string>();
        foreach (var chunk in chunks)
        {
            var args = new List<string> { $"--array={chunk.ArraySpec}" };
            if (chunk.AfterChunk is { } after) args.Add($"--dependency=afterany:{ids[after]}");
            // The password, if the database setting carried one, travels in sbatch's environment (--export=ALL).
            var id = slurm.Submit(args, scriptPath, environment: script.Store.ChildEnvironment);
            jobs.RecordSubmission(spec.Name, id, chunk.ArraySpec);
            ids.Add(id);
            log.Info(string.Create(CultureInfo.InvariantCulture,
                $"submitted job {id}: --array={chunk.ArraySpec} ({chunk.Count} worker(s), at most {chunk.Throttle} at once)")
                + (chunk.AfterChunk is { } a ? $", after job {ids[a]} ends" : ""));
        }
        log.Info($"job script {scriptPath}; worker logs {Path.Combine(script.LogFolder, "%A_%a.out")}");
        return ids;
    }
}
