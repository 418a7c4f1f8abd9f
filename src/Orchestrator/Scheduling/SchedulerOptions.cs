using Core.Spec;

namespace Orchestrator.Scheduling;

/// <summary>
/// How the scheduler runs a sweep's trials. The spec's <see cref="ExecutionConfig"/> is the one
/// source of the execution defaults (parallel, retries, lease, device, threads); this adds what only
/// the scheduler has (retry delays, polling) and is made by <see cref="From"/> only.
/// </summary>
public sealed record SchedulerOptions
{
    /// <summary>The delay before the first retry when the command line does not set one.</summary>
    public const double DefaultRetryDelaySeconds = 2;

    /// <summary>Trials run at once (lowered while it runs when trials run out of memory; see <see cref="Concurrency"/>).</summary>
    public required int Parallel { get; init; }
    /// <summary>Retries of a trial whose Runner crashed (retryable exit code) before it is failed.</summary>
    public required int Retries { get; init; }
    /// <summary>Lease length; heartbeats every third of it.</summary>
    public required TimeSpan Lease { get; init; }
    /// <summary>CPU threads per Runner.</summary>
    public required int ThreadsPerTrial { get; init; }
    public required string Device { get; init; }
    /// <summary>Delay before the first retry; later ones grow exponentially (see <see cref="Backoff"/>).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(DefaultRetryDelaySeconds);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often to look for claimable trials while others hold the rest.</summary>
    public required TimeSpan PollInterval { get; init; }
    /// <summary>
    /// Whether to wait for trials held by other owners (to take over any whose lease expires) once
    /// nothing is claimable. A local run does; a Slurm worker does not: it exits when nothing is left
    /// to claim, so an idle task does not hold its allocation.
    /// </summary>
    public bool WaitForOthers { get; init; } = true;

    /// <summary>
    /// The options for a spec's execution section, with the command line's overrides:
    /// <paramref name="parallel"/> replaces execution.parallel, <paramref name="retryDelaySeconds"/>
    /// the default retry delay. Threads per trial left at 0 divide <paramref name="cores"/> between
    /// the parallel trials; the poll interval is a sixth of the lease, within [0.5 s, 5 s].
    /// </summary>
    public static SchedulerOptions From(ExecutionConfig execution, int? parallel, double? retryDelaySeconds, int cores)
    {
        var trialsAtOnce = parallel ?? execution.Parallel;
        return new SchedulerOptions
        {
            Parallel = trialsAtOnce,
            Retries = execution.Retries,
            Lease = TimeSpan.FromSeconds(execution.LeaseSeconds),
            ThreadsPerTrial = execution.ThreadsPerTrial > 0 ? execution.ThreadsPerTrial : DivideCores(trialsAtOnce, cores),
            Device = execution.Device,
            RetryDelay = TimeSpan.FromSeconds(retryDelaySeconds ?? DefaultRetryDelaySeconds),
            PollInterval = TimeSpan.FromSeconds(Math.Clamp(execution.LeaseSeconds / 6, 0.5, 5)),
        };
    }

    /// <summary>Threads per trial when the spec leaves it at 0: the cores divided between the parallel trials.</summary>
    public static int DivideCores(int parallel, int cores) => Math.Max(1, cores / Math.Max(1, parallel));
}
