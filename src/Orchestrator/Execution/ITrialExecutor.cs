namespace Orchestrator.Execution;

/// <summary>
/// Where a trial runs. Today: a local Runner process per trial (<see cref="LocalProcessExecutor"/>);
/// a cluster scheduler such as Slurm could implement the same contract later.
/// </summary>
public interface ITrialExecutor
{
    /// <summary>
    /// Runs one attempt of a trial to its end and returns how it ended. Progress events are passed
    /// to <paramref name="onEvent"/> as they arrive. A graceful stop asks the trial to checkpoint
    /// and stop, and still waits for it to exit; an immediate stop kills it.
    /// </summary>
    Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop);
}
