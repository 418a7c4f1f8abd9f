using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Estimates;
using Orchestrator.Planning;
using Orchestrator.Slurm;

namespace Orchestrator.Cli;

/// <summary><c>run --dry-run</c>: the expanded trials with what the store already knows of each; records nothing.</summary>
internal static class DryRunTable
{
    public static async Task<int> PrintAsync(SweepSpec spec, RunSettings settings, CancellationToken ct)
    {
        var store = settings.Store;
        var db = StoreIfAny.Open(store, settings.ResultsDir);
        var (rows, edit) = SweepPlan.Describe(spec, db);
        var x = spec.Execution;
        var executor = settings.Executor ?? x.Executor;
        var parallel = settings.Parallel ?? x.Parallel;
        var estimate = await SweepEstimate.OfPlanAsync(spec, rows, parallel, db, measure: true, ct);
        var perTrial = estimate.Trials.ToDictionary(t => t.TrialId);
        var gridKeys = spec.Trials.SelectMany(t => t.Grid.Keys).Distinct().ToList();
        var repeats = spec.Trials.Any(t => t.Repeat > 0);
        var columns = new List<string> { "#", "trial" };
        columns.AddRange(gridKeys);
        if (repeats) columns.Add("repeat");
        columns.AddRange(["state", "epoch", "step", "estimate"]);
        Output.Table(columns, rows.Select(r =>
        {
            var cells = new List<string> { r.Trial.Ordinal.ToString(CultureInfo.InvariantCulture), r.Trial.Id };
            cells.AddRange(gridKeys.Select(k => r.Trial.Grid.TryGetValue(k, out var v) ? v : ""));
            if (repeats) cells.Add(r.Trial.Repeat.ToString(CultureInfo.InvariantCulture));
            cells.Add(r.Stored?.State ?? (r.Extends is { } e ? $"from {e.FromTrialId} {e.Checkpoint}" : "new"));
            cells.Add(r.Stored is not null ? $"{r.Stored.Epoch}/{r.Trial.Config.Train.Epochs}"
                : r.Extends is { } from ? $"{from.Epochs}/{r.Trial.Config.Train.Epochs}" : "-");
            cells.Add(r.Stored is null ? "-" : r.Stored.Step.ToString(CultureInfo.InvariantCulture));
            cells.Add(perTrial.TryGetValue(r.Trial.Id, out var est) ? (est.Chars == 0 ? "0 s" : $"{SweepEstimate.Duration(est.Seconds)} ({est.Basis})") : "?");
            return (IReadOnlyList<string>)cells;
        }), title: $"sweep {spec.Name}: {rows.Count} trials (dry run, nothing recorded)");
        if (edit.ChangesRecordedTrials)
            foreach (var line in edit.Lines(spec.Trials)) Output.Info(line);
        foreach (var line in estimate.Lines(x.Device)) Output.Info(line);
        Output.Info($"execution: executor {executor}, parallel {parallel}, retries {x.Retries}, "
                    + $"lease {x.Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, device {x.Device}");
        if (executor == Executors.Slurm)
        {
            var script = SlurmRun.Script(spec, store, settings.ResultsDir);
            Output.Info($"slurm workers: {x.Slurm.Workers?.ToString(CultureInfo.InvariantCulture) ?? "one per trial still to run"}, "
                        + $"{parallel} at once; their job script (nothing is submitted now):");
            Console.Out.Write(script.Text);
        }
        return CliExitCode.Ok;
    }
}
