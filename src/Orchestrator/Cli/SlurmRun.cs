using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Cli.Progress;
using Orchestrator.Execution;
using Orchestrator.Planning;
using Orchestrator.Slurm;

namespace Orchestrator.Cli;

/// <summary>
/// <c>run SPEC</c> with the slurm executor: checks the job with sbatch before anything is recorded,
/// records the sweep, submits its workers as job arrays (split below the cluster's MaxArraySize),
/// and follows them (store + squeue) until every trial is completed or failed or no job is left;
/// with --detach it returns once they are submitted. docs/cluster.md describes it.
/// </summary>
public static class SlurmRun
{
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> ExecuteAsync(SweepSpec spec, RunSettings settings, CancellationToken cancellationToken)
    {
        var slurm = SlurmCommands.Locate(
            $"the slurm executor ({(settings.Executor is null ? $"execution.executor in {spec.Path}" : "--executor slurm")}) submits workers with sbatch",
            "or run the sweep on this machine with --executor local");
        var store = settings.Store;
        if (store.Kind == StoreKind.Sqlite && StorePlacement.NetworkMount(store.SqlitePath) is { } mount)
            throw new NetworkDatabaseException(store.SqlitePath, mount, Executors.Slurm);
        RunnerCommand.Locate(); // the workers start the Runner beside this orchestrator (shared file system): it must be built

        var script = Script(spec, settings, store);
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

        if (JobEnvironment.DroppedPassword(store, spec.Execution.Slurm, spec.Path) is { } dropped) Output.Warning(dropped);

        var db = Database.Open(store, settings.ResultsDir);
        var registration = SweepLines.Register(db, spec, settings.RetryFailed);
        await Corpora.EnsureAsync(db, spec, Output.Info, cancellationToken);

        var toRun = registration.Pending + registration.Running;
        if (toRun == 0)
        {
            Output.Info($"nothing to run: every trial of sweep {spec.Name} is completed or failed");
            return SweepLines.Failed(spec.Name, registration.Failed);
        }
        var jobs = new SlurmJobRepository(db);
        var live = slurm.Queue(JobIds(jobs, spec.Name)).Where(t => !t.IsFinal).ToList();
        if (live.Count > 0)
        {
            Output.Info($"sweep {spec.Name} already has {live.Count} worker task(s) queued or running (job {string.Join(", ", live.Select(t => t.ArrayJobId).Distinct())}); "
                        + "submitting none, they take the pending trials");
        }
        else
        {
            Submit(slurm, jobs, script, spec, settings, toRun);
        }

        if (settings.Detach)
        {
            Output.Info($"detached: `orchestrator status {spec.Name}` shows the trials and their jobs, `orchestrator cancel {spec.Name}` stops them; "
                        + $"worker logs in {logFolder}");
            return CliExitCode.Ok;
        }
        return await FollowAsync(db, slurm, spec, JobIds(jobs, spec.Name), logFolder, cancellationToken);
    }

    private static List<string> JobIds(SlurmJobRepository jobs, string sweep) => jobs.Jobs(sweep).Select(j => j.JobId).ToList();

    /// <summary>The job script of the sweep's workers, as this run would submit it.</summary>
    public static JobScript Script(SweepSpec spec, RunSettings settings, StoreLocation store) =>
        new(spec.Name, spec.Execution.Slurm, store, settings.ResultsDir, OrchestratorProcess.Command(), Environment.CurrentDirectory);

    private static void Submit(SlurmCommands slurm, SlurmJobRepository jobs, JobScript script, SweepSpec spec, RunSettings settings, int toRun)
    {
        var workers = spec.Execution.Slurm.Workers ?? toRun;
        var atOnce = settings.Parallel ?? spec.Execution.Parallel;
        var maxArraySize = slurm.MaxArraySize();
        var chunks = ArrayPlan.Split(workers, atOnce, maxArraySize);

        Directory.CreateDirectory(script.LogFolder); // Slurm does not create the folder of --output
        var scriptPath = Path.Combine(script.LogFolder, "worker.sbatch");
        File.WriteAllText(scriptPath, script.Text);
        if (chunks.Count > 1)
            Output.Info($"{workers} workers exceed this cluster's MaxArraySize ({maxArraySize}): submitting {chunks.Count} job arrays");

        var ids = new List<string>();
        foreach (var chunk in chunks)
        {
            var args = new List<string> { $"--array={chunk.ArraySpec}" };
            if (chunk.AfterChunk is { } after) args.Add($"--dependency=afterany:{ids[after]}");
            // The password, if the database setting carried one, travels in sbatch's environment (--export=ALL).
            var id = slurm.Submit(args, scriptPath, environment: script.Store.ChildEnvironment);
            jobs.RecordSubmission(spec.Name, id, chunk.ArraySpec);
            ids.Add(id);
            Output.Info(string.Create(CultureInfo.InvariantCulture,
                $"submitted job {id}: --array={chunk.ArraySpec} ({chunk.Count} worker(s), at most {chunk.Throttle} at once)")
                + (chunk.AfterChunk is { } a ? $", after job {ids[a]} ends" : ""));
        }
        Output.Info($"job script {scriptPath}; worker logs {Path.Combine(script.LogFolder, "%A_%a.out")}");
    }

    private static async Task<int> FollowAsync(Database db, SlurmCommands slurm, SweepSpec spec, IReadOnlyCollection<string> jobIds, string logFolder,
        CancellationToken cancellationToken)
    {
        // Ctrl+C stops following only: the jobs are the cluster's now (`orchestrator cancel` stops them).
        using var signals = new StopOnSignals(cancellationToken, _ => { });
        var epochs = spec.Trials.ToDictionary(t => t.Id, t => t.Config.Train.Epochs);
        var progress = new SlurmProgress(Console.Out, TrialLabels.For(spec), epochs, logFolder);
        var o = await new SlurmFollower(db, slurm, progress, FollowInterval).FollowAsync(spec.Name, jobIds, signals.Graceful);

        Output.Info(o.Counts.Line(o.Sweep));
        if (o.Counts.Finished)
        {
            // Workers that have not started would only find nothing to claim: free their place in the queue.
            var waiting = o.Tasks.Where(t => t.State == SlurmJobStates.Pending).ToList();
            if (waiting.Count > 0)
            {
                slurm.Cancel(waiting.Select(t => t.ArrayJobId).Distinct().ToList(), pendingOnly: true);
                Output.Info($"cancelled {waiting.Count} worker task(s) still waiting in the queue: nothing is left for them");
            }
            return SweepLines.Failed(o.Sweep, o.Counts.Failed);
        }
        if (o.Stopped)
        {
            Output.Info($"stopped following; the jobs run on: `orchestrator status {o.Sweep}` shows them, `orchestrator cancel {o.Sweep}` stops them");
            return CliExitCode.Interrupted;
        }
        var broken = o.Tasks.Where(t => SlurmJobStates.Broken.Contains(t.State)).ToList();
        var unfinished = o.Counts.Unfinished;
        if (broken.Count > 0)
        {
            Output.Error($"{broken.Count} worker task(s) failed ({string.Join(", ", broken.Take(5).Select(t => t.Name))}{(broken.Count > 5 ? ", …" : "")}) and no job "
                         + $"of the sweep is left, with {unfinished} trial(s) unfinished; their logs in {logFolder} say why");
            return CliExitCode.Error;
        }
        Output.Info($"no job of sweep {o.Sweep} is left in the queue, and {unfinished} trial(s) are unfinished (cancelled, or stopped at a time limit): "
                    + "run the same command again to submit workers for them; they resume from their newest checkpoints");
        return CliExitCode.Interrupted;
    }
}
