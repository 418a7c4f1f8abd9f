using System.Collections.Concurrent;
using System.Globalization;
using Core.Contract;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Scheduling;
using Spectre.Console;

namespace Orchestrator.Cli.Progress;

/// <summary>
/// Live progress bars on a terminal, one per trial this orchestrator runs: epoch, step, loss,
/// characters/s and ETA. Retries, failures and waits are printed above the bars.
/// </summary>
public sealed class TerminalProgress(ProgressContext context, TrialLabels labels) : ISweepObserver
{
    private readonly ConcurrentDictionary<string, (TrialTracker Tracker, ProgressTask Task)> _rows = new();
    private readonly Lock _lock = new();

    /// <summary>Runs <paramref name="body"/> with live progress bars, handing it the observer to report to.</summary>
    public static Task<T> RunAsync<T>(TrialLabels labels, Func<ISweepObserver, Task<T>> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 16 }, new PercentageColumn(), new SpinnerColumn())
            .StartAsync(ctx => body(new TerminalProgress(ctx, labels)));

    public void Claimed(TrialRow trial)
    {
        lock (_lock)
        {
            var tracker = new TrialTracker { Attempt = trial.Attempt };
            if (_rows.TryGetValue(trial.TrialId, out var existing))
            {
                existing.Task.StartTask();
                _rows[trial.TrialId] = (tracker, existing.Task);
            }
            else
            {
                _rows[trial.TrialId] = (tracker, context.AddTask(Describe(trial.TrialId, tracker, "starting"), maxValue: 1));
            }
        }
    }

    public void Progress(string trialId, RunnerEvent e)
    {
        if (!_rows.TryGetValue(trialId, out var row)) return;
        var (t, task) = row;
        lock (_lock)
        {
            t.Apply(e);
            if (t.TotalSteps > 0) task.MaxValue = t.TotalSteps;
            task.Value = Math.Min(t.Step, task.MaxValue);
            var detail = e switch
            {
                StartEvent s when s.ResumedStep > 0 => $"resumed at step {s.ResumedStep}",
                CheckpointEvent c => $"saved {c.Name}",
                _ => null,
            };
            task.Description = Describe(trialId, t, detail);
        }
    }

    public void Retrying(string trialId, int attempt, TrialExit exit, int retry, int retries, TimeSpan delay)
    {
        AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(Name(trialId))}: attempt {attempt} {Markup.Escape(exit.Summary)}; retry {retry} of {retries} in {delay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s[/]");
        if (_rows.TryGetValue(trialId, out var row))
            lock (_lock) row.Task.Description = Describe(trialId, row.Tracker, $"retry {retry}/{retries} in {delay.TotalSeconds:0.0}s");
    }

    public void Finished(TrialOutcome o)
    {
        if (!_rows.TryGetValue(o.TrialId, out var row)) return;
        lock (_lock)
        {
            var (status, color) = o.Result switch
            {
                TrialResult.Completed => ("completed", "green"),
                TrialResult.Failed => ("failed", "red"),
                TrialResult.Interrupted => ("interrupted", "yellow"),
                TrialResult.Requeued => ("pending again (out of memory)", "yellow"),
                _ => ("lease lost", "yellow"),
            };
            if (o.Result == TrialResult.Completed) row.Task.Value = row.Task.MaxValue;
            row.Task.Description = $"[{color}]{Markup.Escape(Name(o.TrialId))} {status}[/]";
            row.Task.StopTask();
        }
        if (o.Result == TrialResult.Failed)
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(Name(o.TrialId))} failed:[/] {Markup.Escape((o.Reason ?? "").Split('\n')[0])}");
    }

    public void Waiting(IReadOnlyList<TrialRow> heldByOthers) =>
        AnsiConsole.MarkupLine($"[grey]waiting for {heldByOthers.Count} trial(s) running under other orchestrators: {Markup.Escape(string.Join(", ", heldByOthers.Select(t => $"{t.TrialId} ({t.Owner})")))}[/]");

    public void Warning(string trialId, string message) =>
        AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(Name(trialId))}: {Markup.Escape(message)}[/]");

    private string Name(string trialId) => $"{trialId} {labels[trialId]}";

    private string Describe(string trialId, TrialTracker t, string? detail)
    {
        var parts = new List<string> { $"[bold]{Markup.Escape(labels[trialId])}[/]" };
        if (t.Attempt > 1) parts.Add($"attempt {t.Attempt}");
        if (t.TotalSteps > 0)
        {
            parts.Add($"ep {t.Epoch}/{t.Epochs} {t.StepText}");
            parts.Add($"loss {Output.Num(t.Loss, "0.000")}");
            parts.Add($"{Output.Rate(t.CharsPerSec)} ch/s");
            if (t.Eta is { } eta) parts.Add($"ETA {Output.Duration(eta)}");
        }
        if (detail is not null) parts.Add($"[grey]{Markup.Escape(detail)}[/]");
        return string.Join("  ", parts);
    }
}
