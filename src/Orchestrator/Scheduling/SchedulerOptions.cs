namespace Orchestrator.Scheduling;

/// <summary>How the scheduler runs a sweep's trials (from the spec's execution section and the command line).</summary>
public sealed record SchedulerOptions
{
    /// <summary>Trials run at once.</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>Retries of a trial whose Runner crashed (retryable exit code) before it is failed.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Lease length; heartbeats every third of it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>CPU threads per Runner.</summary>
    public int ThreadsPerTrial { get; init; } = 1;
    public string Device { get; init; } = "auto";
    /// <summary>Delay before the first retry; later ones grow exponentially (see <see cref="Backoff"/>).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often to look for claimable trials while others hold the rest.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Threads per trial when the spec leaves it at 0: the cores divided between the parallel trials.</summary>
    public static int DivideCores(int parallel, int cores) => Math.Max(1, cores / Math.Max(1, parallel));
}
