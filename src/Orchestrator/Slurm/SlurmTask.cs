namespace Orchestrator.Slurm;

/// <summary>
/// One array task as squeue shows it: <see cref="Name"/> is <c>ARRAYJOB_TASK</c> (e.g. <c>4242_3</c>),
/// the form a worker records in <c>attempts.slurm_job</c>. A line without a task id (<see cref="TaskId"/>
/// null) for an array job stands for the tasks that never got a line of their own: Slurm keeps the
/// array's not-yet-started tasks in one record, which <c>scancel --state=PENDING</c> ends as a single
/// CANCELLED line (<see cref="SlurmTaskCounts"/> counts it as the tasks it stands for).
/// </summary>
/// <param name="WaitStatus">squeue's exit_code: the task's wait status (exit code × 256 + signal), 0 while it runs.</param>
internal sealed record SlurmTask(string ArrayJobId, string? TaskId, string State, string Reason, string Node, int WaitStatus = 0)
{
    /// <summary>squeue's -O fields this record is read from: array job id, task id, state, reason, node, wait status.</summary>
    public const string SqueueFields = "ArrayJobID:|,ArrayTaskID:|,State:|,Reason:|,NodeList:|,exit_code:|";

    public string Name => TaskId is null ? ArrayJobId : $"{ArrayJobId}_{TaskId}";

    public bool IsFinal => SlurmJobStates.IsFinal(State);

    /// <summary>How its batch script ended, as a user reads it: "exit 3", "killed by signal 9"; null while it has not ended or when it exited 0.</summary>
    public string? Ending => (WaitStatus & 0x7f) is var signal and > 0 ? $"killed by signal {signal}"
        : WaitStatus >> 8 is var code and > 0 ? $"exit {code}" : null;

    /// <summary>Reads one line of <see cref="SqueueFields"/>; null for anything else.</summary>
    public static SlurmTask? Parse(string line)
    {
        var f = line.Split('|');
        if (f.Length < 5 || f[0].Length == 0 || !f[0].All(char.IsAsciiDigit)) return null;
        var task = f[1] is "N/A" or "" ? null : f[1];
        var status = f.Length > 5 && int.TryParse(f[5], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
        return new SlurmTask(f[0], task, f[2], f[3] is "None" or "(null)" ? "" : f[3], f[4], status);
    }

    /// <summary>The array job of a task name (<c>4242_3</c> → <c>4242</c>).</summary>
    public static string ArrayJobOf(string name) => name.Split('_')[0];
}

/// <summary>
/// Slurm's job states as squeue prints them, and which of them are final. PREEMPTED and REQUEUED
/// are not: a job submitted with --requeue comes back to PENDING and runs again.
/// </summary>
internal static class SlurmJobStates
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Cancelled = "CANCELLED";

    /// <summary>States after which the task never runs again. NODE_FAIL is not one: with --requeue the task is requeued.</summary>
    private static readonly IReadOnlySet<string> Final = new HashSet<string>(StringComparer.Ordinal)
    {
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT",
    };

    /// <summary>Final states that mean the worker itself did not do its job (its log says why).</summary>
    public static readonly IReadOnlySet<string> Broken = new HashSet<string>(StringComparer.Ordinal) { "FAILED", "BOOT_FAIL", "OUT_OF_MEMORY" };

    public static bool IsFinal(string state) => Final.Contains(state);
}
