using Core.Config;
using Core.Contract;

namespace Core.Spec;

/// <summary>
/// A parsed, validated sweep: its name, how to execute it, and the expanded trials in grid order;
/// <paramref name="EarlyStopping"/>: the rule that stops hopeless trials (null: none); <paramref name="Search"/>: how the grid became trials;
/// <paramref name="Axes"/>: the grid's lines in spec order, each with how it was listed or drawn (null: not known).
/// </summary>
public sealed record SweepSpec(string Name, string Path, string Yaml, ExecutionConfig Execution, IReadOnlyList<PlannedTrial> Trials,
    EarlyStoppingConfig? EarlyStopping = null, SearchConfig? Search = null, IReadOnlyList<SearchAxis>? Axes = null);

/// <summary>Where and how trials run. Not part of a trial's identity: changing it reruns nothing.</summary>
public sealed record ExecutionConfig
{
    /// <summary>auto (CUDA when available, else CPU), cpu or cuda.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Trials run at once.</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>How many times a crashed trial is retried before it is marked failed.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>How long a trial's lease lasts without a heartbeat before another orchestrator may reclaim it (<c>lease_seconds</c>).</summary>
    public TimeSpan Lease { get; init; } = TrainCommandLine.DefaultLease;
    /// <summary>Torch threads per trial; 0 divides the machine's cores between the parallel trials.</summary>
    public int ThreadsPerTrial { get; init; }
    /// <summary>local (Runners on this machine) or slurm (workers submitted as a job array; see <see cref="Slurm"/>).</summary>
    public string Executor { get; init; } = Executors.Local;
    /// <summary>How Slurm workers are submitted (used with the slurm executor).</summary>
    public SlurmConfig Slurm { get; init; } = SlurmConfig.Default;
    /// <summary>
    /// Which libtorch the Runners load: <c>auto</c> (a bundled CUDA build, else a CUDA-capable PyTorch's
    /// lib folder, else the bundled CPU build), <c>bundled</c>, or a folder holding libtorch_cpu.so
    /// (relative to the folder the command runs in). The ORCHESTRATOR_LIBTORCH environment variable overrides it.
    /// </summary>
    public string Libtorch { get; init; } = LibtorchSetting.Auto;
    /// <summary>The GPUs to spread trials over, as CUDA device ids; null means auto: every GPU visible to the process.</summary>
    public IReadOnlyList<int>? Gpus { get; init; }
    /// <summary>
    /// Trials that share one GPU at most (fewer after one of them runs out of memory there); 0: no
    /// limit of its own, the parallel trials are spread evenly over the GPUs.
    /// </summary>
    public int TrialsPerGpu { get; init; }
    /// <summary>NVIDIA MPS: auto (use a daemon already running), true (start one for the run when none runs), false.</summary>
    public string Mps { get; init; } = MpsSetting.Auto;
    /// <summary>
    /// How long every process of the run (orchestrator, workers, Runners) rides out a database that does
    /// not answer before it stops cleanly (<c>db_outage_seconds</c>); null: <c>ORCHESTRATOR_DB_OUTAGE_SECONDS</c>,
    /// else five minutes (<see cref="Store.OutagePolicy"/>).
    /// </summary>
    public TimeSpan? DbOutage { get; init; }
}

/// <summary>The values of <c>execution.libtorch</c> that are not folders.</summary>
public static class LibtorchSetting
{
    public const string Auto = "auto";
    public const string Bundled = "bundled";
    /// <summary>The environment variable that overrides execution.libtorch (same values).</summary>
    public const string EnvironmentVariable = "ORCHESTRATOR_LIBTORCH";
}

/// <summary>The values of <c>execution.mps</c>.</summary>
public static class MpsSetting
{
    public const string Auto = "auto";
    public const string On = "true";
    public const string Off = "false";
    public static readonly string[] All = [Auto, On, Off];
}

/// <summary>One trial of the expanded grid.</summary>
/// <param name="Id">The hash of the trial's resolved config (<see cref="TrialConfig.Id"/>).</param>
/// <param name="Ordinal">Position in the expanded grid (0-based).</param>
/// <param name="Grid">The grid values that made this trial, by dotted parameter, as written in the spec.</param>
/// <param name="Repeat">Which repeat (0-based) of its grid cell; the seed is train.seed + Repeat.</param>
public sealed record PlannedTrial(string Id, TrialConfig Config, int Ordinal, IReadOnlyDictionary<string, string> Grid, int Repeat);
