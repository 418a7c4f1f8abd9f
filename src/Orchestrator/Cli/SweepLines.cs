namespace Orchestrator.Cli;

/// <summary>What <c>run</c> prints about a sweep, with the local executor and with Slurm alike.</summary>
internal static class SweepLines
{
    /// <summary>Points at the reasons when trials failed; the exit code: <see cref="CliExitCode.TrialsFailed"/> then, else <see cref="CliExitCode.Ok"/>.</summary>
    public static int Failed(string sweep, int failed)
    {
        if (failed == 0) return CliExitCode.Ok;
        Output.Info($"{failed} trial(s) failed; see `orchestrator status {sweep}` for the reasons");
        return CliExitCode.TrialsFailed;
    }
}
