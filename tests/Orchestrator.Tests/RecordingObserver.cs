using System.Collections.Concurrent;
using Core.Contract;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Scheduling;

namespace Orchestrator.Tests;

/// <summary>Keeps what the scheduler reports, in order, as a display would receive it.</summary>
internal sealed class RecordingObserver : ISweepObserver
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ConcurrentQueue<(string TrialId, RunnerEvent Event)> Events { get; } = new();
    public ConcurrentQueue<TrialOutcome> Outcomes { get; } = new();

    public void Claimed(TrialRow trial) => Lines.Enqueue($"{trial.TrialId} claimed {trial.Attempt}");
    public void Progress(string trialId, RunnerEvent e) => Events.Enqueue((trialId, e));
    public void Retrying(string trialId, int attempt, TrialExit exit, int retry, int retries, TimeSpan delay) => Lines.Enqueue($"{trialId} retry {retry} of {retries}: {exit.Reason}");
    public void Finished(TrialOutcome outcome) => Outcomes.Enqueue(outcome);
    public void Waiting(IReadOnlyList<TrialRow> heldByOthers) => Lines.Enqueue($"waiting for {heldByOthers.Count}");
    public void Warning(string trialId, string message) => Lines.Enqueue($"{trialId} warning: {message}");
}
