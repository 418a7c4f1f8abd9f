using System.Globalization;
using Core.Store;
using Orchestrator.Slurm;

namespace Orchestrator.Progress;

/// <summary>
/// A followed Slurm run as plain timestamped lines: tasks starting, ending and being requeued;
/// trials claimed (with their array task), their epochs, and how they end. Step progress at most
/// every <see cref="PlainProgress.StepInterval"/> per trial. A task that ended without completing
/// says where it ran, how it ended (exit code or signal) and what becomes of the trial it held; one
/// that failed gets the last line of its log. Tasks cancelled before they started are counted, not listed.
/// </summary>
internal sealed class SlurmProgress(TextWriter output, TrialLabels labels, IReadOnlyDictionary<string, int> epochs, string logFolder) : IFollowObserver
{
    private readonly Dictionary<string, DateTime> _lastStepLine = [];

    /// <summary>The array task each trial was last seen running in: what a task that ended held, even once another task took the trial.</summary>
    private readonly Dictionary<string, string> _ranIn = [];

    public void TasksChanged(IReadOnlyList<(SlurmTask Task, string? Before)> changes, IReadOnlyList<TrialStatus> trials)
    {
        // Tasks cancelled before they ever ran (no node: they held no trial) are counted, one line per job, as a user counts them.
        var unstarted = changes.Where(c => c.Task.State == SlurmJobStates.Cancelled && (c.Task.TaskId is null || c.Task.Node.Length == 0)).ToList();
        foreach (var job in unstarted.GroupBy(c => c.Task.ArrayJobId))
        {
            var named = job.Where(c => c.Task.TaskId is not null).Select(c => c.Task.Name).ToList();
            var what = named.Count == job.Count()
                ? $"{named.Count} task(s) {SlurmTaskCounts.CancelledBeforeStarting} ({string.Join(", ", named)})"
                : $"its tasks that had not started were cancelled{(named.Count > 0 ? $" ({string.Join(", ", named)} and the rest of the array)" : "")}";
            Line($"job {job.Key}: {what}");
        }
        foreach (var (task, before) in changes.Except(unstarted)) TaskChanged(task, before, trials);
    }

    private void TaskChanged(SlurmTask task, string? before, IReadOnlyList<TrialStatus> trials)
    {
        // Tasks waiting their turn are announced by the submission; their start and end are news.
        if (before is null && task.State == SlurmJobStates.Pending) return;
        var where = task.Node.Length > 0 && task.State != SlurmJobStates.Pending ? $" on {task.Node}" : "";
        var ending = task.IsFinal && task.Ending is { } e ? $", {e}" : "";
        var why = task.Reason.Length > 0 && task.State != SlurmJobStates.Running ? $" ({task.Reason})" : "";
        var log = SlurmJobStates.Broken.Contains(task.State) ? LogTail(task) : "";
        var fate = task.IsFinal && task.State != "COMPLETED"
            ? string.Concat(trials.Where(t => t.SlurmJob == task.Name || _ranIn.GetValueOrDefault(t.TrialId) == task.Name).Select(Fate).OfType<string>())
            : "";
        Line($"job {task.Name}: {task.State}{where}{ending}{why}{log}{fate}");
    }

    /// <summary>What becomes of a trial whose array task ended without completing: "; trial … was running in it: …"; null for one that ended in it.</summary>
    private string? Fate(TrialStatus t) => t.State switch
    {
        TrialStates.Running when _ranIn.GetValueOrDefault(t.TrialId) is { } was && was != t.SlurmJob =>
            $"; trial {t.TrialId} {labels[t.TrialId]} was running in it: taken over in job {t.SlurmJob} (attempt {t.Attempt})",
        TrialStates.Running => string.Create(CultureInfo.InvariantCulture,
            $"; trial {t.TrialId} {labels[t.TrialId]} was running in it (attempt {t.Attempt}, step {t.Step}): the next worker takes it over from its newest checkpoint once it is released or its lease runs out (in {Math.Max(0, t.LeaseSecondsLeft ?? 0):0} s)"),
        TrialStates.Pending => string.Create(CultureInfo.InvariantCulture,
            $"; trial {t.TrialId} {labels[t.TrialId]} was running in it: back to pending, the next worker resumes it from its newest checkpoint (step {t.Step})"),
        _ => null,
    };

    public void TrialChanged(TrialStatus now, TrialStatus? before)
    {
        if (now is { State: TrialStates.Running, SlurmJob: { } task }) _ranIn[now.TrialId] = task;
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
                TrialStates.Running when before.State == TrialStates.Running && before.SlurmJob is { } gone && gone != now.SlurmJob =>
                    $"taken over{job} (attempt {now.Attempt}) from job {gone}, whose lease ran out" + (now.Step > 0 ? $", from step {now.Step}" : ""),
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
