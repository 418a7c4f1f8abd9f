using Core.Contract;
using Core.Store;
using Orchestrator.Execution;

namespace Orchestrator.Scheduling;

/// <summary>
/// What the scheduler reports while it runs a sweep. The CLI implements it (progress bars or plain
/// lines); the scheduler itself never prints. Calls arrive from several threads.
/// </summary>
internal interface ISweepObserver
{
    /// <summary>This orchestrator claimed the trial and is starting its attempt <see cref="TrialRow.Attempt"/>.</summary>
    void Claimed(TrialRow trial);

    /// <summary>A progress event of the trial's Runner (its warnings come through <see cref="Warning"/>).</summary>
    void Progress(string trialId, RunnerEvent e);

    /// <summary>An attempt ended with a retryable exit; the trial is retried after <paramref name="delay"/>.</summary>
    void Retrying(string trialId, int attempt, TrialExit exit, int retry, int retries, TimeSpan delay);

    /// <summary>This orchestrator is done with the trial (for now, if it was interrupted).</summary>
    void Finished(TrialOutcome outcome);

    /// <summary>Nothing is claimable, and these trials run under other owners' live leases; polling.</summary>
    void Waiting(IReadOnlyList<TrialRow> heldByOthers);

    /// <summary>Something worth telling the user that does not stop the sweep (a failed heartbeat, a Runner's warning such as a skipped damaged checkpoint).</summary>
    void Warning(string trialId, string message);
}

internal enum TrialResult
{
    Completed,
    Failed,
    /// <summary>Stopped on request; the trial is pending again and a later run resumes it.</summary>
    Interrupted,
    /// <summary>Another owner holds the trial now (our lease expired); it is theirs to finish.</summary>
    LeaseLost,
    /// <summary>It ran out of memory beside other trials; pending again, to run with fewer at once.</summary>
    Requeued,
    /// <summary>An early-stopping rule stopped it at an epoch end; final, with its curves and checkpoints.</summary>
    Stopped,
}

/// <summary>How this orchestrator's handling of one trial ended.</summary>
internal sealed record TrialOutcome(string TrialId, TrialResult Result, int Attempts, int? ExitCode, string? Reason);

/// <summary>The sweep's state when the scheduler returned, counted from the store.</summary>
internal sealed record SweepOutcome(string Sweep, SweepCounts Counts, bool Interrupted, IReadOnlyList<TrialOutcome> Handled)
{
    public int Completed => Counts.Completed;
    public int Failed => Counts.Failed;
}
