using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Planning;
using Orchestrator.Progress;
using Orchestrator.Queries;
using Orchestrator.Runs;
using Orchestrator.Scheduling;

namespace Orchestrator.Cli;

/// <summary>What <c>run</c> prints about a sweep, with the local executor and with Slurm alike.</summary>
internal static class SweepLines
{
    /// <summary>The run's log on the console: <see cref="Output.Info"/> and <see cref="Output.Warning"/>.</summary>
    public static IRunLog Log { get; } = new ConsoleLog();

    /// <summary>Records the sweep's trials in the store (<see cref="SweepPlan.Register"/>) and says how many there are in each state.</summary>
    public static SweepPlan.Registration Register(Database db, SweepSpec spec, bool retryFailed, bool noEarlyStopping = false)
    {
        var registration = SweepPlan.Register(db, spec, retryFailed, noEarlyStopping);
        Output.Info(registration.Line(db.Path, retryFailed, noEarlyStopping));
        foreach (var line in registration.EditLines(spec)) Output.Info(line);
        return registration;
    }

    /// <summary>The last lines of a run: the sweep's counts, then which configuration won so far (when a trial has completed).</summary>
    public static void End(string sweep, SweepCounts counts, BestTrial? best)
    {
        Output.Info(counts.Line(sweep));
        if (best is not null) Output.Info(Best(best));
    }

    /// <summary>"best: 7de6aa644bee (gru, hidden 128, seq_len 50), val loss 2.0163": the grid values in the spec's order.</summary>
    public static string Best(BestTrial best)
    {
        var values = TrialLabels.Parts(best.Grid, " ").ToList();
        if (best.Repeat > 0) values.Add($"repeat {best.Repeat.ToString(CultureInfo.InvariantCulture)}");
        var grid = values.Count == 0 ? "" : $" ({string.Join(", ", values)})";
        return $"best: {best.TrialId}{grid}, val loss {best.ValLoss.ToString("0.0000", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Points at the reasons when trials failed; the exit code: <see cref="CliExitCode.TrialsFailed"/> then, else <see cref="CliExitCode.Ok"/>.</summary>
    public static int Failed(string sweep, int failed)
    {
        if (failed == 0) return CliExitCode.Ok;
        Output.Info($"{failed} trial(s) failed; see `orchestrator status {sweep}` for the reasons");
        return CliExitCode.TrialsFailed;
    }

    /// <summary>
    /// After the summary: a SIGINT/SIGTERM from now until the process exits interrupts nothing; each
    /// one says so and <paramref name="exitCode"/> stays the exit code (<see cref="ShutdownSignals"/>).
    /// </summary>
    public static int Finishing(int exitCode)
    {
        ShutdownSignals.Finishing(string.Create(CultureInfo.InvariantCulture,
            $"everything was recorded; exiting with {exitCode}, as summarized above"));
        return exitCode;
    }

    private sealed class ConsoleLog : IRunLog
    {
        public void Info(string line) => Output.Info(line);
        public void Warning(string line) => Output.Warning(line);
    }
}
