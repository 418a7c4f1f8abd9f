using System.Diagnostics;
using Core.Store;

namespace Runner.Training;

/// <summary>
/// Collects metric rows and writes them in one transaction when <see cref="FlushIfDue"/> finds the
/// interval passed, and whenever <see cref="Flush"/> is called (at every checkpoint), so the hot
/// loop never commits per row.
/// </summary>
internal sealed class MetricBuffer(ResultRepository results, string trialId, TimeSpan interval)
{
    private readonly List<MetricRow> _rows = [];
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();

    public void Add(string name, long step, int? epoch, double value) =>
        _rows.Add(new MetricRow(trialId, name, step, epoch, value, Timestamps.UnixNow()));

    public void FlushIfDue(int completedEpochs, long step)
    {
        if (_sinceFlush.Elapsed >= interval) Flush(completedEpochs, step);
    }

    /// <summary>Writes the buffered rows and the trial's progress (completed epochs, last step).</summary>
    public void Flush(int completedEpochs, long step)
    {
        results.WriteMetrics(_rows, (trialId, completedEpochs, step));
        _rows.Clear();
        _sinceFlush.Restart();
    }
}
