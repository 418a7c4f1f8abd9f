using System.Diagnostics;
using Core.Store;

namespace Runner.Training;

/// <summary>
/// Collects metric rows and writes them in one transaction when <see cref="FlushIfDue"/> finds the
/// interval passed, and whenever <see cref="Flush"/> is called (at every checkpoint), so the hot
/// loop never commits per row. While the database does not answer, <see cref="FlushIfDue"/> keeps
/// the rows (up to <see cref="Capacity"/>) and training goes on; they are written once it answers
/// again. <see cref="Flush"/> rides the outage out (the store's <see cref="OutagePolicy"/>).
/// With an <paramref name="owner"/> every write is fenced: once another owner holds the trial,
/// nothing is written and <see cref="LeaseLostException"/> ends the run.
/// </summary>
internal sealed class MetricBuffer(ResultRepository results, string trialId, TimeSpan interval, string? owner = null, Action<string>? warn = null)
{
    /// <summary>Rows held at most while the database is away; a full buffer waits for it (within the outage window) before training goes on.</summary>
    public const int Capacity = 100_000;

    private readonly List<MetricRow> _rows = [];
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private bool _away;
    private long _awaySince;

    /// <summary>Rows waiting to be written.</summary>
    public int Count => _rows.Count;

    /// <summary>The rows not written yet (what a Runner past the outage window leaves in its <see cref="OutageInterruption"/>).</summary>
    public IReadOnlyList<MetricRow> Pending => _rows;

    /// <summary>How long the database has not answered the buffer's writes (zero while it answers).</summary>
    public TimeSpan Away => _away ? Stopwatch.GetElapsedTime(_awaySince) : TimeSpan.Zero;

    /// <summary>The error of the last write the database did not answer.</summary>
    public Exception? LastError { get; private set; }

    public void Add(string name, long step, int? epoch, double value) =>
        _rows.Add(new MetricRow(trialId, name, step, epoch, value, Timestamps.UnixNow()));

    /// <summary>Writes when the interval passed; while the database does not answer, keeps the rows and returns (a full buffer waits instead).</summary>
    public void FlushIfDue(int completedEpochs, long step)
    {
        if (_sinceFlush.Elapsed < interval) return;
        if (_rows.Count >= Capacity)
        {
            Flush(completedEpochs, step);
            return;
        }
        try
        {
            var rows = _rows.Count;
            Write(completedEpochs, step, rideOut: false);
            if (_away) warn?.Invoke($"the database answers again; {rows} buffered metric rows written");
            _away = false;
        }
        catch (Exception e) when (OutagePolicy.IsTransient(e))
        {
            if (!_away) warn?.Invoke($"the database does not answer ({e.Message.ReplaceLineEndings(" ")}); training goes on, metrics are kept (up to {Capacity} rows) until it does");
            if (!_away) _awaySince = Stopwatch.GetTimestamp();
            _away = true;
            LastError = e;
            _sinceFlush.Restart();
        }
    }

    /// <summary>Writes the buffered rows and the trial's progress (completed epochs, last step), waiting for the database within the outage window.</summary>
    public void Flush(int completedEpochs, long step)
    {
        Write(completedEpochs, step, rideOut: true);
        _away = false;
    }

    private void Write(int completedEpochs, long step, bool rideOut)
    {
        if (!results.WriteMetrics(_rows, (trialId, completedEpochs, step), owner, rideOut)) throw new LeaseLostException();
        _rows.Clear();
        _sinceFlush.Restart();
    }
}

/// <summary>Another owner holds the trial: the run ends without writing anything more (fencing).</summary>
internal sealed class LeaseLostException : Exception
{
    public LeaseLostException() : base("another owner holds the trial") { }
}
