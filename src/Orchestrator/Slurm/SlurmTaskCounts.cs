using System.Globalization;

namespace Orchestrator.Slurm;

/// <summary>
/// An array job's tasks counted the way a user counts them: one per array task id. squeue lists
/// most tasks on a line of their own, but the tasks of an array that never started can stay in one
/// record without a task id (<c>scancel --state=PENDING</c> ends them as a single CANCELLED line);
/// that record counts as every task id of the submitted range that has no line of its own. Tasks
/// cancelled before they ever ran (no node) are counted apart from those cancelled while running.
/// </summary>
internal static class SlurmTaskCounts
{
    public const string CancelledBeforeStarting = "cancelled before starting";

    /// <summary>"3 COMPLETED, 14 cancelled before starting": the tasks of one array job (<paramref name="arraySpec"/> as submitted, e.g. <c>0-17%4</c>) by state, most first.</summary>
    public static string Describe(string? arraySpec, IEnumerable<SlurmTask> tasks) =>
        string.Join(", ", Count(arraySpec, tasks).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Count} {c.State}")));

    /// <summary>The tasks by state (<see cref="CancelledBeforeStarting"/> for the never-started cancelled ones), most first.</summary>
    public static IReadOnlyList<(string State, int Count)> Count(string? arraySpec, IEnumerable<SlurmTask> tasks)
    {
        var list = tasks.ToList();
        var listed = list.Where(t => t.TaskId is not null).Select(t => t.TaskId!).ToHashSet(StringComparer.Ordinal);
        var ids = arraySpec is null ? null : TaskIds(arraySpec);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            var n = t.TaskId is null && ids is not null ? Math.Max(1, ids.Count(i => !listed.Contains(i.ToString(CultureInfo.InvariantCulture)))) : 1;
            var state = t.State == SlurmJobStates.Cancelled && (t.TaskId is null || t.Node.Length == 0) ? CancelledBeforeStarting : t.State;
            counts[state] = counts.GetValueOrDefault(state) + n;
        }
        return counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value)).ToList();
    }

    /// <summary>The task ids of an <c>--array</c> value (<c>0-17%4</c>, <c>0%1</c>, <c>1,3,5-11:2</c>); null when it is not one.</summary>
    public static IReadOnlyList<int>? TaskIds(string arraySpec)
    {
        var ids = new List<int>();
        foreach (var part in arraySpec.Split('%')[0].Split(','))
        {
            var stepParts = part.Split(':');
            var step = 1;
            if (stepParts.Length > 2 || (stepParts.Length == 2 && !(int.TryParse(stepParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out step) && step > 0)))
                return null;
            var range = stepParts[0].Split('-');
            if (range.Length > 2 || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return null;
            var last = first;
            if (range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out last)) return null;
            for (var i = first; i <= last; i += step) ids.Add(i);
        }
        return ids;
    }
}
