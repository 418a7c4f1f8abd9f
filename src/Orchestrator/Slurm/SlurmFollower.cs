using Core.Store;
using Orchestrator.Scheduling;

namespace Orchestrator.Slurm;

/// <summary>What a followed Slurm run reports as it changes. The CLI prints it; calls come from one thread.</summary>
internal interface IFollowObserver
{
    /// <summary>
    /// Array tasks that appeared in the queue or changed state since the last look (each with its previous
    /// state, null when new), with the sweep's trials as they are now (to tell what became of a task's trial).
    /// Tasks already ended at the first look are not news (they ended before this run followed them).
    /// </summary>
    void TasksChanged(IReadOnlyList<(SlurmTask Task, string? Before)> changes, IReadOnlyList<TrialStatus> trials);

    /// <summary>A trial changed state, attempt, array task or progress (<paramref name="before"/>: null at the first look).</summary>
    void TrialChanged(TrialStatus now, TrialStatus? before);
}

/// <summary>How following a sweep's jobs ended, with the sweep's counts then.</summary>
/// <param name="Stopped">The user stopped following (Ctrl+C); the jobs run on.</param>
/// <param name="Tasks">The last state of every array task seen.</param>
internal sealed record FollowOutcome(string Sweep, SweepCounts Counts, bool Stopped, IReadOnlyList<SlurmTask> Tasks);

/// <summary>
/// Follows a sweep that runs in Slurm workers, from the store (trial states and progress, the array
/// task of each attempt) and squeue (the states of the tasks of its jobs), until every trial is completed or failed, or no
/// task of the sweep's jobs is left queued or running (PREEMPTED and REQUEUED tasks come back, so
/// they count as left), or the caller stops following.
/// </summary>
internal sealed class SlurmFollower(Database db, SlurmCommands slurm, IFollowObserver observer, TimeSpan poll)
{
    /// <param name="jobIds">The job arrays to follow: the ones this run submitted, or the sweep's live ones it found (no more are submitted while it is followed).</param>
    public async Task<FollowOutcome> FollowAsync(string sweep, IReadOnlyCollection<string> jobIds, CancellationToken stop)
    {
        var reader = new SweepReader(db);
        var tasks = new Dictionary<string, SlurmTask>();
        var trials = new Dictionary<string, TrialStatus>();
        var first = true;
        while (true)
        {
            var queued = slurm.Queue(jobIds);
            var now = reader.Trials(sweep);
            var changes = new List<(SlurmTask, string?)>();
            foreach (var t in queued)
            {
                tasks.TryGetValue(t.Name, out var before);
                if ((before is null && !(first && t.IsFinal)) || (before is not null && before.State != t.State)) changes.Add((t, before?.State));
                tasks[t.Name] = t;
            }
            if (changes.Count > 0) observer.TasksChanged(changes, now);
            first = false;

            foreach (var t in now)
            {
                trials.TryGetValue(t.TrialId, out var before);
                if (before is null || Moved(before, t)) observer.TrialChanged(t, before);
                trials[t.TrialId] = t;
            }

            var live = queued.Any(t => !t.IsFinal);
            var counts = SweepCounts.From(now.Select(t => t.State).ToList());
            FollowOutcome Outcome(bool stopped) => new(sweep, counts, stopped, tasks.Values.ToList());
            if (counts.Finished || !live) return Outcome(stopped: false);
            try
            {
                await Task.Delay(poll, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Outcome(stopped: true);
            }
        }
    }

    /// <summary>Whether a trial changed state, attempt, array task, progress or failure (its lease's seconds left always change).</summary>
    private static bool Moved(TrialStatus before, TrialStatus now) =>
        (before.State, before.Attempt, before.SlurmJob, before.Epoch, before.Step, before.Failure) != (now.State, now.Attempt, now.SlurmJob, now.Epoch, now.Step, now.Failure);
}
