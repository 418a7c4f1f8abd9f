using Core.Contract;

namespace Orchestrator.Execution;

/// <summary>
/// Where a trial runs. Today: a local Runner process per trial (<see cref="LocalProcessExecutor"/>);
/// a Slurm executor will implement the same contract. Whatever runs the trial speaks the process
/// contract of docs/contract.md.
/// </summary>
internal interface ITrialExecutor
{
    /// <summary>
    /// Runs one attempt of a trial to its end and returns how it ended. Progress events are passed
    /// to <paramref name="onEvent"/> as they arrive; a reported failure also comes back in
    /// <see cref="TrialExit.Failure"/>. A graceful stop asks the trial to checkpoint
    /// and stop, and still waits for it to exit; an immediate stop kills it.
    /// </summary>
    Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop);
}
