using Core.Store;

namespace Orchestrator.Slurm;

/// <summary>
/// The squeue states of the Slurm jobs that sweeps' status shows, read once. Where Slurm's tools
/// are not installed (reading a copied database on a laptop), the states are unknown and said so.
/// </summary>
internal sealed class SlurmQueue
{
    private readonly IReadOnlyList<SlurmTask> _tasks;

    /// <summary>The state of each task by name (<c>JOB_TASK</c>).</summary>
    private readonly IReadOnlyDictionary<string, string> _states;

    private SlurmQueue(IReadOnlyList<SlurmTask> tasks, string? why)
    {
        _tasks = tasks;
        _states = tasks.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last().State);
        Unknown = why;
    }

    /// <summary>Whether squeue was asked (false: Slurm is not installed here, or squeue failed).</summary>
    public bool Known => Unknown is null;

    /// <summary>Why the states are unknown, when they are.</summary>
    public string? Unknown { get; }

    /// <summary>Asks squeue about every job of <paramref name="sweeps"/>, once; asks nothing when they have none.</summary>
    public static SlurmQueue Of(IReadOnlyList<SweepStatus> sweeps)
    {
        var ids = sweeps.SelectMany(s => s.SlurmJobs).Select(j => j.JobId).Distinct().ToList();
        if (ids.Count == 0) return new SlurmQueue([], null);
        if (SlurmCommands.TryLocate() is not { } slurm) return new SlurmQueue([], "squeue is not on the PATH here");
        try
        {
            return new SlurmQueue(slurm.Queue(ids), null);
        }
        catch (SlurmCommandException e)
        {
            return new SlurmQueue([], $"squeue failed: {e.SlurmMessage}");
        }
    }

    /// <summary>The tasks of one array job that the queue still shows.</summary>
    public IReadOnlyList<SlurmTask> TasksOf(string jobId) => _tasks.Where(t => t.ArrayJobId == jobId).ToList();

    /// <summary>The sweep with each trial's array task state filled in where squeue knows it.</summary>
    public SweepStatus Annotate(SweepStatus s)
    {
        if (_tasks.Count == 0) return s;
        return s with { Trials = s.Trials.Select(t => t.SlurmJob is { } job && _states.TryGetValue(job, out var state) ? t with { SlurmState = state } : t).ToList() };
    }

    /// <summary>
    /// One line for a job array: its tasks counted by state as a user counts them (<see cref="SlurmTaskCounts"/>),
    /// e.g. "slurm job 42 (--array=0-17%2, submitted …): 2 RUNNING, 2 COMPLETED, 14 cancelled before starting".
    /// </summary>
    public string Describe(SlurmJobRow job)
    {
        var head = $"slurm job {job.JobId} (--array={job.Array}, submitted {job.SubmittedAt})";
        if (!Known) return $"{head}: states unknown ({Unknown})";
        var tasks = TasksOf(job.JobId);
        if (tasks.Count == 0) return $"{head}: no longer in the queue (ended)";
        return $"{head}: {SlurmTaskCounts.Describe(job.Array, tasks)}";
    }
}
