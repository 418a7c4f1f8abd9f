using Core.Contract;
using Core.Store;
using Orchestrator.Execution;

namespace Orchestrator.Slurm;

/// <summary>
/// A worker's executor: records which array task runs each attempt (<c>attempts.slurm_job</c>,
/// e.g. <c>4242_3</c>), then runs it as a local Runner process like any local run.
/// </summary>
public sealed class SlurmTaskExecutor(ITrialExecutor inner, SlurmJobRepository jobs, string task) : ITrialExecutor
{
    public Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop)
    {
        jobs.TagAttempt(launch.TrialId, launch.Owner, task);
        return inner.RunAsync(launch, onEvent, stop);
    }
}
