using Core.Contract;
using Core.Spec;
using Core.Store;

namespace Orchestrator.Execution;

/// <summary>
/// Everything an executor needs to start one attempt of one trial. Deliberately nothing about
/// sweeps or grids: the executor only knows "train this trial id from this store as this owner",
/// on this GPU (<see cref="Gpu"/>, the Runner's CUDA_VISIBLE_DEVICES; null: none of its own), with
/// these environment variables (<see cref="Environment"/>: libtorch, MPS), riding out a database
/// outage for <see cref="DbOutage"/> (null: the Runner's default).
/// <see cref="ResultsFolder"/> is where checkpoints go when the store is PostgreSQL.
/// </summary>
internal sealed record TrialLaunch(
    string TrialId,
    string Owner,
    StoreLocation Store,
    string ResultsFolder,
    TimeSpan Lease,
    int Threads,
    string Device,
    string? Gpu = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    TimeSpan? DbOutage = null,
    PeerRule? EarlyStopping = null);

/// <summary>An early-stopping rule and the sweep whose trials are the peers it compares with (docs/orchestrator.md).</summary>
internal sealed record PeerRule(string Sweep, EarlyStoppingConfig Rule);

/// <summary>
/// How a trial's process ended: its exit code, the last lines it wrote to stderr, whether we asked
/// it to stop, and the failure it reported (<see cref="FailureEvent"/>), if any.
/// </summary>
internal sealed record TrialExit(int ExitCode, IReadOnlyList<string> StderrTail, bool StopRequested, FailureEvent? Failure = null)
{
    /// <summary>"crashed (exit 1)", "killed by signal 9 (exit 137)".</summary>
    public string Summary => $"{RunnerExitCode.Describe(ExitCode)} (exit {ExitCode})";

    /// <summary>
    /// What went wrong, for people: the Runner's own failure message, else its last stderr line; null
    /// if it said nothing, or if a signal killed it (its last line was progress, not the reason: the
    /// stderr tail is kept in a column of its own, <see cref="StderrText"/>).
    /// </summary>
    public string? Message => Failure?.Message ?? (KilledBySignal || StderrTail.Count == 0 ? null : StderrTail[^1]);

    /// <summary>Whether a signal ended the process (exit 128 + N) without a failure of its own reported.</summary>
    public bool KilledBySignal => Failure is null && ExitCode is >= 128 and < 160;

    /// <summary>The failure's kind: as the Runner reported it, else as its exit code implies.</summary>
    public string? Kind => Failure?.Kind ?? RunnerExitCode.KindOf(ExitCode);

    /// <summary>A reason as stored: <paramref name="summary"/> and the message, on one line.</summary>
    public string Describe(string summary) => Message is { } m ? $"{summary}: {m}" : KilledBySignal ? summary : $"{summary}; no stderr output";

    public string Reason => Describe(Summary);

    /// <summary>The stderr tail as one text, null if empty.</summary>
    public string? StderrText => StderrTail.Count == 0 ? null : string.Join('\n', StderrTail);

    /// <summary>This exit as recorded with <paramref name="reason"/>: its exit code, kind and stderr tail (in a column of its own).</summary>
    public AttemptEnd End(string reason) => new(ExitCode, reason, Kind, StderrText);
}

/// <summary>Stop requests from the user: <see cref="Graceful"/> asks trials to checkpoint and stop; <see cref="Immediate"/> kills them.</summary>
internal readonly record struct StopSignals(CancellationToken Graceful, CancellationToken Immediate)
{
    public static StopSignals None => new(CancellationToken.None, CancellationToken.None);

    /// <summary>Whether either stop was asked for.</summary>
    public bool Requested => Graceful.IsCancellationRequested || Immediate.IsCancellationRequested;
}
