using System.Collections.Concurrent;
using System.Globalization;
using Core.Contract;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Scheduling;

namespace Orchestrator.Progress;

/// <summary>
/// Progress as plain timestamped lines, for logs and pipes: one line per claim, start, epoch,
/// checkpoint, retry and end, and step lines at most every <see cref="StepInterval"/> per trial.
/// </summary>
internal sealed class PlainProgress(TextWriter output, TrialLabels labels) : ISweepObserver
{
    public static readonly TimeSpan StepInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TrialTracker> _trackers = new();
    private readonly ConcurrentDictionary<string, DateTime> _lastStepLine = new();
    private readonly Lock _write = new();

    public void Claimed(TrialRow trial)
    {
        _trackers[trial.TrialId] = new TrialTracker { Attempt = trial.Attempt };
        // Where it resumes is the Runner's to say (its start line): the newest checkpoint that verifies may lie before the last recorded step.
        Line(trial.TrialId, $"claimed (attempt {trial.Attempt})");
    }

    public void Progress(string trialId, RunnerEvent e)
    {
        var t = _trackers.GetOrAdd(trialId, _ => new TrialTracker());
        t.Apply(e);
        switch (e)
        {
            case StartEvent s:
                Line(trialId, s.ResumedStep > 0
                    ? $"started on {s.Device}, resumed at step {s.ResumedStep} of {t.TotalSteps}"
                    : $"started on {s.Device}, {t.TotalSteps} steps ({s.Epochs} epochs × {s.StepsPerEpoch})");
                break;
            case StepEvent:
                var now = DateTime.UtcNow;
                if (_lastStepLine.TryGetValue(trialId, out var last) && now - last < StepInterval) return;
                _lastStepLine[trialId] = now;
                Line(trialId, $"epoch {t.Epoch}/{t.Epochs} step {t.StepText} loss {Figures.Num(t.Loss)} {Figures.Rate(t.CharsPerSec)} chars/s"
                              + (t.Eta is { } eta ? $" ETA {Figures.Duration(eta)}" : ""));
                break;
            case EpochEvent ep:
                Line(trialId, $"epoch {ep.Epoch} done at step {ep.Step}: train_loss {Figures.Num(ep.TrainLoss)} val_loss {Figures.Num(ep.ValLoss)} "
                              + $"val_error {Figures.Num(ep.ValError)} {Figures.Rate(ep.CharsPerSec)} chars/s ({Figures.Num(ep.Seconds, "0.0")} s)");
                break;
            case CheckpointEvent c:
                Line(trialId, $"checkpoint {c.Name} at step {c.Step}");
                break;
        }
    }

    public void Retrying(string trialId, int attempt, TrialExit exit, int retry, int retries, TimeSpan delay) =>
        Line(trialId, $"attempt {attempt} {exit.Summary}; retry {retry} of {retries} in {delay.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s"
                      + (exit.Message is { } message ? $" ({message})" : ""));

    public void Finished(TrialOutcome o) => Line(o.TrialId, o.Result switch
    {
        TrialResult.Completed => "completed",
        TrialResult.Failed => $"failed: {FirstLine(o.Reason)}",
        TrialResult.Interrupted => "interrupted; back to pending (run again to resume)",
        TrialResult.Requeued => $"back to pending: {FirstLine(o.Reason)}",
        TrialResult.Stopped => FirstLine(o.Reason),
        _ => $"lease lost: {o.Reason}",
    });

    public void Waiting(IReadOnlyList<TrialRow> heldByOthers)
    {
        lock (_write)
            output.WriteLine($"[{Now}] waiting for {heldByOthers.Count} trial(s) running under other orchestrators: "
                             + string.Join(", ", heldByOthers.Select(t => $"{t.TrialId} ({t.Owner})")));
    }

    public void Warning(string trialId, string message) => Line(trialId, $"warning: {message}");

    private void Line(string trialId, string message)
    {
        lock (_write) output.WriteLine($"[{Now}] {trialId} {labels[trialId]}: {message}");
    }

    private static string FirstLine(string? text) => (text ?? "").Split('\n')[0];

    private static string Now => DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
