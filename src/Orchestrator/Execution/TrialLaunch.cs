namespace Orchestrator.Execution;

/// <summary>
/// Everything an executor needs to start one attempt of one trial. Deliberately nothing about
/// sweeps or grids: the executor only knows "train this trial id from this store as this owner".
/// </summary>
public sealed record TrialLaunch(
    string TrialId,
    string Owner,
    string DatabasePath,
    TimeSpan Lease,
    int Threads,
    string Device);

/// <summary>How a trial's process ended: its exit code, the last lines it wrote to stderr, and whether we asked it to stop.</summary>
public sealed record TrialExit(int ExitCode, IReadOnlyList<string> StderrTail, bool StopRequested)
{
    /// <summary>"crashed (exit 1)", "killed by signal 9 (exit 137)".</summary>
    public string Summary => $"{Core.ExitCodes.Describe(ExitCode)} (exit {ExitCode})";

    /// <summary>The last stderr line, usually the error itself; null if there was none.</summary>
    public string? LastLine => StderrTail.Count == 0 ? null : StderrTail[^1];

    /// <summary>As stored in a failure reason: the summary and the last stderr line on the first line, the whole tail below.</summary>
    public string Describe(string summary) => StderrTail.Count == 0
        ? $"{summary}; no stderr output"
        : $"{summary}: {LastLine}\n--- last {StderrTail.Count} stderr lines ---\n{string.Join('\n', StderrTail)}";

    public string Reason => Describe(Summary);
}

/// <summary>Stop requests from the user: <see cref="Graceful"/> asks trials to checkpoint and stop; <see cref="Immediate"/> kills them.</summary>
public readonly record struct StopSignals(CancellationToken Graceful, CancellationToken Immediate)
{
    public static StopSignals None => new(CancellationToken.None, CancellationToken.None);
}
