using System.ComponentModel;
using Core.Store;
using Orchestrator.Scheduling;
using Orchestrator.Slurm;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class CancelSettings : StoreSettings
{
    [CommandArgument(0, "<SWEEP>")]
    [Description("The sweep whose Slurm jobs to cancel")]
    public string Sweep { get; init; } = "";
}

/// <summary>
/// <c>orchestrator cancel SWEEP</c>: scancels the sweep's queued and running Slurm jobs and leaves
/// its trials resumable. A running worker gets SIGTERM, its Runner checkpoints and puts its trial
/// back to pending; a trial whose Runner was killed before it could is put back to pending here
/// once its task has ended. Run the spec again to submit new workers.
/// </summary>
internal sealed class CancelCommand : Command<CancelSettings>
{
    /// <summary>How long to wait for cancelled tasks to end (Slurm's KillWait is 30 s by default) before leaving their trials to the lease.</summary>
    private static readonly TimeSpan EndWait = TimeSpan.FromSeconds(90);

    public override int Execute(CommandContext context, CancelSettings settings, CancellationToken cancellationToken)
    {
        var db = Database.OpenExisting(settings.Store, settings.ResultsDir);
        var sweep = new SweepRepository(db).Find(settings.Sweep);
        var ids = new SlurmJobRepository(db).Jobs(sweep.Name).Select(j => j.JobId).ToList();
        if (ids.Count == 0)
        {
            Output.Info($"sweep {sweep.Name} has no Slurm jobs (it ran with the local executor): nothing to cancel; a local run stops with Ctrl+C");
            return CliExitCode.Ok;
        }
        var slurm = SlurmCommands.Locate("`orchestrator cancel` stops a sweep's Slurm jobs with scancel");
        var live = slurm.Queue(ids).Where(t => !t.IsFinal).ToList();
        if (live.Count == 0)
        {
            Output.Info($"no job of sweep {sweep.Name} is queued or running (jobs {string.Join(", ", ids)}): nothing to cancel");
            return Summary(db, sweep.Name);
        }

        var arrays = live.Select(t => t.ArrayJobId).Distinct().ToList();
        slurm.Cancel(arrays);
        var running = live.Count(t => t.State == SlurmJobStates.Running);
        Output.Info($"scancel {string.Join(' ', arrays)}: {live.Count} task(s) of sweep {sweep.Name} ({running} running, {live.Count - running} waiting); "
                    + "running trials checkpoint and go back to pending");

        var last = WaitForEnd(slurm, ids, cancellationToken);
        var ended = last.Where(t => t.IsFinal).Select(t => t.Name).ToHashSet();
        var released = ReleaseOrphans(db, sweep.Name, arrays, ended);
        if (released > 0) Output.Info($"{released} trial(s) whose Runner ended without checkpointing put back to pending (they resume from their newest checkpoint)");
        var still = last.Where(t => !t.IsFinal).Select(t => t.Name).ToList();
        if (still.Count > 0)
            Output.Info($"task(s) {string.Join(", ", still)} still ending after {EndWait.TotalSeconds:0} s; their trials go back to pending when their leases expire");
        return Summary(db, sweep.Name);
    }

    /// <summary>Waits until no task of the jobs is queued or running (or <see cref="EndWait"/> passed); returns the tasks as the last look saw them.</summary>
    private static IReadOnlyList<SlurmTask> WaitForEnd(SlurmCommands slurm, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + EndWait;
        while (true)
        {
            var tasks = slurm.Queue(ids);
            if (tasks.All(t => t.IsFinal) || DateTime.UtcNow > deadline || ct.IsCancellationRequested)
                return tasks;
            Thread.Sleep(500);
        }
    }

    /// <summary>
    /// Trials still running under a task of the cancelled arrays that has ended: their holder is gone
    /// (killed before it could checkpoint), so they go back to pending now instead of when the lease expires.
    /// </summary>
    private static int ReleaseOrphans(Database db, string sweep, IReadOnlyList<string> arrays, IReadOnlySet<string> ended)
    {
        var trials = new TrialRepository(db);
        var released = 0;
        foreach (var t in new SweepReader(db).Trials(sweep))
        {
            if (t is not { State: TrialStates.Running, SlurmJob: { } job, Owner: { } owner }) continue;
            if (!arrays.Contains(SlurmTask.ArrayJobOf(job)) || !ended.Contains(job)) continue;
            if (trials.Release(t.TrialId, owner, null, $"its Slurm job {job} was cancelled (orchestrator cancel) before its Runner checkpointed")) released++;
        }
        return released;
    }

    private static int Summary(Database db, string sweep)
    {
        var counts = SweepCounts.From(new TrialRepository(db).ListForSweep(sweep).Select(t => t.State).ToList());
        Output.Info(counts.Line(sweep)
                    + (counts.Unfinished > 0 ? "; run its spec again to submit workers for the rest (they resume from their newest checkpoints)" : ""));
        return CliExitCode.Ok;
    }
}
