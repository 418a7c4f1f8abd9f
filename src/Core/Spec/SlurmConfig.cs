using System.Globalization;

namespace Core.Spec;

/// <summary>Where a sweep's trials run: on this machine, or in workers submitted to a Slurm cluster.</summary>
public static class Executors
{
    public const string Local = "local";
    public const string Slurm = "slurm";

    public static readonly IReadOnlyList<string> All = [Local, Slurm];
}

/// <summary>
/// The spec's <c>execution.slurm</c> section: how the sweep's workers are submitted (docs/cluster.md).
/// Every field is optional; what is not set is not passed to sbatch, so the cluster's defaults apply.
/// </summary>
public sealed record SlurmConfig
{
    /// <summary>The settings of a spec without a slurm section.</summary>
    public static readonly SlurmConfig Default = new();

    /// <summary>sbatch --partition.</summary>
    public string? Partition { get; init; }
    /// <summary>sbatch --time, in one of Slurm's forms (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS).</summary>
    public string? Time { get; init; }
    /// <summary>sbatch --gres, e.g. gpu:1.</summary>
    public string? Gres { get; init; }
    /// <summary>sbatch --cpus-per-task; also each worker's CPU threads when execution.threads_per_trial is 0.</summary>
    public int? CpusPerTask { get; init; }
    /// <summary>sbatch --mem (per node, i.e. per worker), e.g. 4G.</summary>
    public string? Mem { get; init; }
    /// <summary>sbatch --account.</summary>
    public string? Account { get; init; }
    /// <summary>More sbatch options, one per item, as written on an #SBATCH line (e.g. --qos=short).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
    /// <summary>Array tasks (workers) to submit; null: one per trial still to run.</summary>
    public int? Workers { get; init; }
    /// <summary>How long before the time limit Slurm sends the worker SIGTERM (sbatch --signal=B:TERM@N), so its trials checkpoint.</summary>
    public int SignalSeconds { get; init; } = DefaultSignalSeconds;

    public const int DefaultSignalSeconds = 120;
}

/// <summary>
/// The sbatch options the orchestrator manages, the one list of them: it sets them itself in every
/// job script (<c>Orchestrator.Slurm.JobScript</c>) or on sbatch's command line, or no job script of
/// its may have them; a spec's <c>execution.slurm.extra</c> may not set any of them (docs/cluster.md).
/// </summary>
public static class SbatchOptions
{
    // In every job script.
    public const string JobName = "--job-name", Requeue = "--requeue", Signal = "--signal", OpenMode = "--open-mode", Output = "--output", Chdir = "--chdir";

    // On sbatch's command line, per submission.
    public const string Array = "--array", Parsable = "--parsable";

    // Never: a second log apart from --output, a command in place of the script, and no requeue.
    public const string Error = "--error", Wrap = "--wrap", NoRequeue = "--no-requeue";

    public static readonly IReadOnlyList<string> Managed = [Array, Parsable, Output, Error, Chdir, OpenMode, Signal, Wrap, JobName, Requeue, NoRequeue];
}

/// <summary>Slurm's time limit forms (sbatch --time), in seconds.</summary>
internal static class SlurmTimeLimit
{
    /// <summary>A Slurm time limit in seconds; null for UNLIMITED / INFINITE.</summary>
    /// <remarks>The text must already match one of the forms (the spec loader checks).</remarks>
    public static long? Seconds(string time)
    {
        if (time is "UNLIMITED" or "INFINITE" or "unlimited" or "infinite") return null;
        long days = 0;
        var rest = time;
        var dash = time.IndexOf('-');
        if (dash >= 0)
        {
            days = long.Parse(time[..dash], CultureInfo.InvariantCulture);
            rest = time[(dash + 1)..];
        }
        var parts = rest.Split(':').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        // minutes | minutes:seconds | hours:minutes:seconds; with days: hours | hours:minutes | hours:minutes:seconds.
        var (h, m, sec) = dash >= 0
            ? parts.Length switch { 1 => (parts[0], 0L, 0L), 2 => (parts[0], parts[1], 0L), _ => (parts[0], parts[1], parts[2]) }
            : parts.Length switch { 1 => (0L, parts[0], 0L), 2 => (0L, parts[0], parts[1]), _ => (parts[0], parts[1], parts[2]) };
        return ((days * 24 + h) * 60 + m) * 60 + sec;
    }
}
