using Core.Spec;
using Core.Store;
using Orchestrator.Planning;

namespace Orchestrator.Cli;

/// <summary>What <c>run</c> prints about a sweep, with the local executor and with Slurm alike.</summary>
internal static class SweepLines
{
    /// <summary>Records the sweep's trials in the store (<see cref="SweepPlan.Register"/>) and says how many there are in each state.</summary>
    public static SweepPlan.Registration Register(Database db, SweepSpec spec, bool retryFailed)
    {
        var registration = SweepPlan.Register(db, spec, retryFailed);
        var requeued = retryFailed ? $"{registration.Requeued} failed requeued; " : "";
        Output.Info($"sweep {spec.Name}: {registration.Total} trials ({registration.Added} new; {requeued}{registration.Completed} completed, "
                    + $"{registration.Failed} failed, {registration.Running} running, {registration.Pending} pending) in {db.Path}");
        return registration;
    }

    /// <summary>Points at the reasons when trials failed; the exit code: <see cref="CliExitCode.TrialsFailed"/> then, else <see cref="CliExitCode.Ok"/>.</summary>
    public static int Failed(string sweep, int failed)
    {
        if (failed == 0) return CliExitCode.Ok;
        Output.Info($"{failed} trial(s) failed; see `orchestrator status {sweep}` for the reasons");
        return CliExitCode.TrialsFailed;
    }
}
