using System.Globalization;

namespace Orchestrator.Slurm;

/// <summary>What Slurm tells a batch job about itself through its environment (SLURM_* variables).</summary>
internal static class SlurmEnvironment
{
    /// <summary>
    /// This array task as <c>ARRAYJOB_TASK</c> (e.g. <c>4242_3</c>, the form squeue shows and
    /// <c>attempts.slurm_job</c> records), the job id for a job that is not an array, or null outside Slurm.
    /// </summary>
    public static string? TaskName()
    {
        var array = Get("SLURM_ARRAY_JOB_ID");
        var task = Get("SLURM_ARRAY_TASK_ID");
        if (array is not null && task is not null) return $"{array}_{task}";
        return Get("SLURM_JOB_ID");
    }

    /// <summary>The CPUs this task was given (SLURM_CPUS_PER_TASK, else SLURM_CPUS_ON_NODE); null outside Slurm.</summary>
    public static int? Cpus() => Int("SLURM_CPUS_PER_TASK") ?? Int("SLURM_CPUS_ON_NODE");

    /// <summary>How many times Slurm has requeued this job (SLURM_RESTART_COUNT), 0 if never.</summary>
    public static int Restarts() => Int("SLURM_RESTART_COUNT") ?? 0;

    private static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static int? Int(string name) =>
        int.TryParse(Get(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
