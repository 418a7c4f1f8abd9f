using System.Globalization;
using Core.Store;
using Orchestrator.Slurm;

namespace Orchestrator.Progress;

/// <summary>
/// A followed Slurm run as plain timestamped lines: tasks starting, ending and being requeued;
/// trials claimed (with their array task), their epochs, and how they end. Step progress at most
/// every <see cref="PlainProgress.StepInterval"/> per trial. A task that failed gets the last line
/// of its log.
/// </summary>
internal sealed class SlurmProgress(TextWriter output, TrialLabels labels, IReadOnlyDictionary<string, int> epochs, string logFolder) : IFollowObserver
{
    private readonly Dictionary<string, DateTime> _lastStepLine = [];

    public void TaskChanged(SlurmTask task, string? before)
    {
        // Tasks waiting their turn are announced by the submission; their start and end are news.
        if (before is null && task.State == SlurmJobStates.Pending) return;
        var where = task.State == SlurmJobStates.Running && task.Node.Length > 0 ? $" on {task.Node}" : "";
        var why = task.Reason.Length > 0 && task.State != SlurmJobStates.Running ? $" ({task.Reason})" : "";
        var log = SlurmJobStates.Broken.Contains(task.State) ? LogTail(task) : "";
        Line($"job {task.Name}: {task.State}{where}{why}{log}");
    }

    public void TrialChanged(TrialStatus now, TrialStatus? before)
    {
        var job = now.SlurmJob is null ? "" : $" in job {now.SlurmJob}";
        if (before is null)
        {
            // The first look: say only what is under way.
            if (now.State == TrialStates.Running) Trial(now, $"running{job} (attempt {now.Attempt}), {Position(now)}");
            return;
        }
        if (now.State != before.State || now.Attempt != before.Attempt || now.SlurmJob != before.SlurmJob)
        {
            Trial(now, now.State switch
            {
                TrialStates.Running => $"running{job} (attempt {now.Attempt})" + (now.Step > 0 ? $", from step {now.Step}" : ""),
                TrialStates.Completed => $"completed{job}",
                TrialStates.Failed => $"failed{job}: {FirstLine(now.Failure)}",
                TrialStates.Stopped => $"{now.Stop?.Describe() ?? "stopped early"}{job}",
                _ => $"back to pending" + (now.Failure is null ? "" : $": {FirstLine(now.Failure)}"),
            });
            return;
        }
        if (now.State != TrialStates.Running) return;
        if (now.Epoch != before.Epoch)
        {
            Trial(now, $"epoch {now.Epoch}/{Epochs(now)} done");
            _lastStepLine[now.TrialId] = DateTime.UtcNow;
        }
        else if (now.Step != before.Step && (!_lastStepLine.TryGetValue(now.TrialId, out var last) || DateTime.UtcNow - last >= PlainProgress.StepInterval))
        {
            Trial(now, Position(now));
            _lastStepLine[now.TrialId] = DateTime.UtcNow;
        }
    }

    /// <summary>Where an array task's output goes (the job script's --output, %A_%a.out).</summary>
    private string LogOf(string taskName) => Path.Combine(logFolder, taskName + ".out");

    private string LogTail(SlurmTask task)
    {
        var path = LogOf(task.Name);
        try
        {
            var last = File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0);
            return last is null ? $"; its log {path} is empty" : $"; its log {path} ends: {last.Trim()}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"; its log would be {path}";
        }
    }

    /// <summary>"epoch 2/3 step 140": the epoch under way (the store counts completed ones) and the last step recorded.</summary>
    private string Position(TrialStatus t) =>
        $"epoch {(epochs.TryGetValue(t.TrialId, out var n) ? Math.Min(t.Epoch + 1, n) : t.Epoch + 1)}/{Epochs(t)} step {t.Step}";

    private string Epochs(TrialStatus t) => epochs.TryGetValue(t.TrialId, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "?";

    private void Trial(TrialStatus t, string message) => Line($"{t.TrialId} {labels[t.TrialId]}: {message}");

    private void Line(string message) => output.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {message}");

    private static string FirstLine(string? text) => (text ?? "").Split('\n')[0];
}
