using Core.Config;

namespace Core.Spec;

/// <summary>A parsed, validated sweep: its name, how to execute it, and the expanded trials in grid order.</summary>
public sealed record SweepSpec(string Name, string Path, string Yaml, ExecutionConfig Execution, IReadOnlyList<PlannedTrial> Trials);

/// <summary>Where and how trials run. Not part of a trial's identity: changing it reruns nothing.</summary>
public sealed record ExecutionConfig
{
    /// <summary>auto (CUDA when available, else CPU), cpu or cuda.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Trials run at once.</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>How many times a crashed trial is retried before it is marked failed.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>How long a trial's lease lasts without a heartbeat before another orchestrator may reclaim it.</summary>
    public double LeaseSeconds { get; init; } = 30;
    /// <summary>Torch threads per trial; 0 divides the machine's cores between the parallel trials.</summary>
    public int ThreadsPerTrial { get; init; }
    /// <summary>local (Runners on this machine) or slurm (workers submitted as a job array; see <see cref="Slurm"/>).</summary>
    public string Executor { get; init; } = Executors.Local;
    /// <summary>How Slurm workers are submitted (used with the slurm executor).</summary>
    public SlurmConfig Slurm { get; init; } = SlurmConfig.Default;
}

/// <summary>One trial of the expanded grid.</summary>
/// <param name="Id">The hash of the trial's resolved config (<see cref="TrialConfig.Id"/>).</param>
/// <param name="Ordinal">Position in the expanded grid (0-based).</param>
/// <param name="Grid">The grid values that made this trial, by dotted parameter, as written in the spec.</param>
/// <param name="Repeat">Which repeat (0-based) of its grid cell; the seed is train.seed + Repeat.</param>
public sealed record PlannedTrial(string Id, TrialConfig Config, int Ordinal, IReadOnlyDictionary<string, string> Grid, int Repeat);
