using Core.Spec;

namespace Orchestrator.Scheduling;

/// <summary>
/// How the scheduler runs a sweep's trials. The spec's <see cref="ExecutionConfig"/> is the one
/// source of the execution defaults (parallel, retries, lease, device, threads); this adds what only
/// the scheduler has (retry delays, polling) and is made by <see cref="From"/> only.
/// </summary>
internal sealed record SchedulerOptions
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
    /// <summary>The GPUs trials are spread over, as CUDA_VISIBLE_DEVICES values (see <see cref="GpuPool"/>); empty: Runners get none of their own.</summary>
    public IReadOnlyList<string> Gpus { get; init; } = [];
    /// <summary>Trials one GPU holds at most; 0: no limit of its own.</summary>
    public int TrialsPerGpu { get; init; }
    /// <summary>The Slurm array task this runs in (a worker's, e.g. <c>4242_3</c>), recorded on every attempt it opens; null outside Slurm.</summary>
    public string? SlurmJob { get; init; }
    /// <summary>Environment variables every Runner of the run gets (libtorch, MPS; see <see cref="Execution.RunnerSetup"/>).</summary>
    public IReadOnlyDictionary<string, string> RunnerEnvironment { get; init; } = new Dictionary<string, string>();
    /// <summary>The spec's database outage window (<c>execution.db_outage_seconds</c>), passed to every Runner; null: theirs by default.</summary>
    public TimeSpan? DbOutage { get; init; }

    /// <summary>The sweep's early-stopping rule (<c>early_stopping:</c>), given to every Runner; null: trials train their whole budget.</summary>
    public EarlyStoppingConfig? EarlyStopping { get; init; }

    /// <summary>
    /// The options for a spec's execution section, with the command line's overrides:
    /// <paramref name="parallel"/> replaces execution.parallel, <paramref name="retryDelaySeconds"/>
    /// the default retry delay. With <paramref name="gpus"/> and a trials_per_gpu limit, no more
    /// trials run at once than the GPUs hold together. Threads per trial left at 0 divide
    /// <paramref name="cores"/> between the parallel trials; the poll interval is a sixth of the
    /// lease, within [0.5 s, 5 s]. Every Runner gets <paramref name="runnerEnvironment"/>.
    /// </summary>
    public static SchedulerOptions From(ExecutionConfig execution, int? parallel, double? retryDelaySeconds, int cores,
        IReadOnlyList<string>? gpus = null, IReadOnlyDictionary<string, string>? runnerEnvironment = null)
    {
        gpus ??= [];
        var trialsAtOnce = parallel ?? execution.Parallel;
        // The GPUs' own limit caps the trials at once: no more than they can hold together.
        if (gpus.Count > 0 && execution.TrialsPerGpu > 0) trialsAtOnce = Math.Min(trialsAtOnce, gpus.Count * execution.TrialsPerGpu);
        return new SchedulerOptions
        {
            Parallel = trialsAtOnce,
            Retries = execution.Retries,
            Lease = execution.Lease,
            ThreadsPerTrial = execution.ThreadsPerTrial > 0 ? execution.ThreadsPerTrial : DivideCores(trialsAtOnce, cores),
            Device = execution.Device,
            RetryDelay = TimeSpan.FromSeconds(retryDelaySeconds ?? DefaultRetryDelaySeconds),
            PollInterval = TimeSpan.FromSeconds(Math.Clamp(execution.Lease.TotalSeconds / 6, 0.5, 5)),
            Gpus = gpus,
            TrialsPerGpu = execution.TrialsPerGpu,
            RunnerEnvironment = runnerEnvironment ?? new Dictionary<string, string>(),
            DbOutage = execution.DbOutage,
        };
    }

    /// <summary>Threads per trial when the spec leaves it at 0: the cores divided between the parallel trials.</summary>
    public static int DivideCores(int parallel, int cores) => Math.Max(1, cores / Math.Max(1, parallel));
}
