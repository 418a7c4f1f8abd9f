using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Planning;
using Orchestrator.Slurm;

namespace Orchestrator.Cli;

/// <summary><c>run --dry-run</c>: the expanded trials with what the store already knows of each; records nothing.</summary>
public static class DryRunTable
{
    public static int Print(SweepSpec spec, RunSettings settings)
    {
        var store = settings.Store;
        var db = Existing(store, settings.ResultsDir);
        if (spec.Trials is GridTrials) Stream(spec, db);
        else PrintTable(spec, db);
        var x = spec.Execution;
        var executor = settings.Executor ?? x.Executor;
        var parallel = settings.Parallel ?? x.Parallel;
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

    private static void PrintTable(SweepSpec spec, Database? db)
    {
        var rows = SweepPlan.Describe(spec, db);
        var gridKeys = spec.Trials.SelectMany(t => t.Grid.Keys).Distinct().ToList();
        var repeats = spec.Trials.Any(t => t.Repeat > 0);
        var columns = new List<string> { "#", "trial" };
        columns.AddRange(gridKeys);
        if (repeats) columns.Add("repeat");
        columns.AddRange(["state", "epoch", "step"]);
        Output.Table(columns, rows.Select(r =>
        {
            var cells = new List<string> { r.Trial.Ordinal.ToString(CultureInfo.InvariantCulture), r.Trial.Id };
            cells.AddRange(gridKeys.Select(k => r.Trial.Grid.TryGetValue(k, out var v) ? v : ""));
            if (repeats) cells.Add(r.Trial.Repeat.ToString(CultureInfo.InvariantCulture));
            cells.Add(r.Stored?.State ?? "new");
            cells.Add(r.Stored is null ? "-" : $"{r.Stored.Epoch}/{r.Trial.Config.Train.Epochs}");
            cells.Add(r.Stored is null ? "-" : r.Stored.Step.ToString(CultureInfo.InvariantCulture));
            return (IReadOnlyList<string>)cells;
        }), title: $"sweep {spec.Name}: {rows.Count} trials (dry run, nothing recorded)");
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

    /// <summary>The store, if it already holds this tool's tables: a dry run creates nothing.</summary>
    private static Database? Existing(StoreLocation store, string results)
    {
        try
        {
            return Database.OpenReadOnly(store, results);
        }
        catch (DatabaseNotFoundException)
        {
            return null;
        }
        catch (EmptyDatabaseException) when (store.Kind == StoreKind.Postgres)
        {
            return null;
        }
    }
}
