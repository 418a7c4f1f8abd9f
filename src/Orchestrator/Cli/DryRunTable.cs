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
        var x = spec.Execution;
        var executor = settings.Executor ?? x.Executor;
        var parallel = settings.Parallel ?? x.Parallel;
        if (spec.Trials is GridTrials)
        {
            // Too many trials to hold, or to estimate one by one: listed as they are built.
            Stream(spec, db);
            PrintExecution(spec, settings, executor, parallel);
            return CliExitCode.Ok;
        }
        var (rows, edit) = SweepPlan.Describe(spec, db);
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
        PrintExecution(spec, settings, executor, parallel);
        return CliExitCode.Ok;
    }

    private static void PrintExecution(SweepSpec spec, RunSettings settings, string executor, int parallel)
    {
        var x = spec.Execution;
        Output.Info($"execution: executor {executor}, parallel {parallel}, retries {x.Retries}, "
                    + $"lease {x.Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, device {x.Device}");
        if (executor == Executors.Slurm)
        {
            var script = SlurmRun.Script(spec, settings.Store, settings.ResultsDir);
            Output.Info($"slurm workers: {x.Slurm.Workers?.ToString(CultureInfo.InvariantCulture) ?? "one per trial still to run"}, "
                        + $"{parallel} at once; their job script (nothing is submitted now):");
            Console.Out.Write(script.Text);
        }
    }

    /// <summary>
    /// A grid too big to hold (<see cref="GridTrials"/>): one line per trial as it is built, columns as wide as
    /// the first thousand rows need, so memory stays flat however many trials there are.
    /// </summary>
    private static void Stream(SweepSpec spec, Database? db)
    {
        var trials = db is null ? null : new TrialRepository(db);
        var gridKeys = spec.Trials[0].Grid.Keys.ToList();
        var repeats = spec.Trials.Count > 1 && spec.Trials[1].Repeat > 0;
        List<string> Cells(PlannedTrial t)
        {
            var stored = trials?.Get(t.Id);
            var cells = new List<string> { t.Ordinal.ToString(CultureInfo.InvariantCulture), t.Id };
            cells.AddRange(gridKeys.Select(k => t.Grid[k]));
            if (repeats) cells.Add(t.Repeat.ToString(CultureInfo.InvariantCulture));
            cells.AddRange([stored?.State ?? "new", stored is null ? "-" : $"{stored.Epoch}/{t.Config.Train.Epochs}",
                stored is null ? "-" : stored.Step.ToString(CultureInfo.InvariantCulture)]);
            return cells;
        }
        List<string> columns = ["#", "trial", .. gridKeys, .. repeats ? ["repeat"] : Array.Empty<string>(), "state", "epoch", "step"];
        var widths = columns.Select(c => c.Length).ToArray();
        foreach (var row in spec.Trials.Take(1000).Select(Cells))
            for (var i = 0; i < row.Count; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var output = Console.Out;
        output.WriteLine($"sweep {spec.Name}: {spec.Trials.Count} trials (dry run, nothing recorded; listed as they are built)");
        void Line(IReadOnlyList<string> cells) => output.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        Line(columns);
        foreach (var t in spec.Trials) Line(Cells(t));
    }
}
