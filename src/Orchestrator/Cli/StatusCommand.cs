using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Core.Store;
using Orchestrator.Progress;
using Orchestrator.Slurm;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class StatusSettings : StoreSettings
{
    [CommandArgument(0, "[SWEEP]")]
    [Description("The sweep to show (its spec's name:). Default: every sweep in the database")]
    public string? Sweep { get; init; }

    [CommandOption("--json")]
    [Description("Print JSON for scripts: an object with \"sweeps\", each with its name, counts by state and trials")]
    public bool Json { get; init; }

    [CommandOption("--all")]
    [Description("Also list the trials that left each sweep (an edited spec no longer plans them); their results stay in the database")]
    public bool All { get; init; }
}

/// <summary><c>orchestrator status [SWEEP]</c>: each trial's state, attempt, progress, best validation loss and throughput.</summary>
internal sealed class StatusCommand : Command<StatusSettings>
{
    public override int Execute(CommandContext context, StatusSettings settings, CancellationToken cancellationToken)
    {
        var db = Database.OpenReadOnly(settings.Store, settings.ResultsDir);
        var read = new SweepReader(db).Read(settings.Sweep);
        var queue = SlurmQueue.Of(read);
        var sweeps = read.Select(queue.Annotate).ToList();
        var reader = new SweepReader(db);
        var departed = sweeps.ToDictionary(s => s.Sweep, s => reader.Departed(s.Sweep));

        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { sweeps = sweeps.Select(s => ToJson(s, queue, settings.All ? departed[s.Sweep] : null)) }, JsonOptions));
            return CliExitCode.Ok;
        }
        if (sweeps.Count == 0) Output.Info($"no sweeps in {db.Path} yet (run `orchestrator run SPEC`)");
        foreach (var s in sweeps)
        {
            Print(s, queue);
            PrintDeparted(s.Sweep, departed[s.Sweep], settings.All);
        }
        return CliExitCode.Ok;
    }

    /// <summary>The trials that left the sweep: a table with <c>--all</c>, else one line saying how to see them.</summary>
    private static void PrintDeparted(string sweep, IReadOnlyList<DepartedTrial> departed, bool all)
    {
        if (departed.Count == 0) return;
        if (!all)
        {
            Output.Info($"{departed.Count} trial(s) left sweep {sweep} (its spec no longer plans them); `orchestrator status {sweep} --all` lists them");
            return;
        }
        var repeats = departed.Any(t => t.Repeat > 0);
        var rows = departed.Select(t => (IReadOnlyList<string>)
        [
            t.TrialId,
            TrialLabels.Label(t.GridText, t.Repeat, repeats),
            t.State,
            $"{t.Epoch}/{t.Epochs}",
            t.BestValLoss is null ? "-" : Figures.Num(t.BestValLoss),
            t.LeftAt,
            t.ContinuedBy is null ? "" : $"continued by {t.ContinuedBy}",
        ]);
        Output.Table(["trial", "grid", "state", "epoch", "best val loss", "left at", "note"], rows,
            $"sweep {sweep}: {departed.Count} trial(s) that left the spec (their results stay in the database)");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static object ToJson(SweepStatus s, SlurmQueue queue, IReadOnlyList<DepartedTrial>? departed) => new
    {
        name = s.Sweep,
        spec_path = s.SpecPath,
        updated_at = s.UpdatedAt,
        counts = new
        {
            total = s.Trials.Count,
            completed = s.Count(TrialStates.Completed),
            running = s.Count(TrialStates.Running),
            pending = s.Count(TrialStates.Pending),
            failed = s.Count(TrialStates.Failed),
            stopped = s.Count(TrialStates.Stopped),
        },
        trials = s.Trials,
        departed = departed,
        slurm_jobs = s.SlurmJobs.Select(j => new
        {
            job_id = j.JobId,
            array = j.Array,
            submitted_at = j.SubmittedAt,
            tasks = queue.Known ? queue.TasksOf(j.JobId).Select(t => new { task = t.Name, state = t.State, reason = t.Reason, node = t.Node }) : null,
            // One per array task id, as the text line counts them ("cancelled before starting" apart).
            task_counts = queue.Known ? SlurmTaskCounts.Count(j.Array, queue.TasksOf(j.JobId)).ToDictionary(c => c.State, c => c.Count) : null,
        }),
    };

    private static void Print(SweepStatus s, SlurmQueue queue)
    {
        var gridKeys = s.Trials.SelectMany(t => t.Grid.Keys).Distinct().ToList();
        var repeats = s.Trials.Any(t => t.Repeat > 0);
        var slurm = s.SlurmJobs.Count > 0;
        List<string> columns = ["trial", "grid", "state", .. slurm ? ["slurm job"] : Array.Empty<string>(), "attempt", "epoch", "step", "best val loss", "chars/s", "note"];
        var rows = s.Trials.Select(t => (IReadOnlyList<string>)
        [
            t.TrialId,
            TrialLabels.Label(t.GridText, t.Repeat, repeats),
            t.State,
            .. slurm ? [t.SlurmJob is null ? "-" : $"{t.SlurmJob} {t.SlurmState ?? ""}".TrimEnd()] : Array.Empty<string>(),
            t.Attempt.ToString(CultureInfo.InvariantCulture),
            $"{t.Epoch}/{t.Epochs}",
            t.Step.ToString(CultureInfo.InvariantCulture),
            t.BestValLoss is null ? "-" : $"{Figures.Num(t.BestValLoss)} (ep {t.BestEpoch})",
            Figures.Rate(t.CharsPerSec),
            Note(t),
        ]);
        var title = $"sweep {s.Sweep}: {s.Count(TrialStates.Completed)} completed, {s.Count(TrialStates.Running)} running, "
                    + $"{s.Count(TrialStates.Pending)} pending, {s.Count(TrialStates.Failed)} failed"
                    + (s.Count(TrialStates.Stopped) > 0 ? $", {s.Count(TrialStates.Stopped)} stopped early" : "") + $" (of {s.Trials.Count})"
                    + (gridKeys.Count > 0 ? $"; grid: {string.Join(", ", gridKeys)}" : "");
        Output.Table(columns, rows, title);
        foreach (var j in s.SlurmJobs) Output.Info(queue.Describe(j));
    }

    private static string Note(TrialStatus t) => t.State switch
    {
        TrialStates.Failed => OneLine(t.Failure),
        TrialStates.Stopped => t.Stop?.Describe() ?? "stopped early",
        TrialStates.Running when t.LeaseSecondsLeft is < 0 => $"abandoned by {t.Owner} (lease expired; the next run resumes it)",
        TrialStates.Running when t.OwnerGone => $"abandoned by {t.Owner} (it and its Runner are gone from this host; the next run resumes it)",
        TrialStates.Running => $"owner {t.Owner}",
        _ => "",
    };

    private static string OneLine(string? text)
    {
        var first = (text ?? "").Split('\n')[0];
        return first.Length > 100 ? first[..100] + "…" : first;
    }
}
