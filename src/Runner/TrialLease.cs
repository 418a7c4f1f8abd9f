using Core.Store;

namespace Runner;

/// <summary>
/// Keeps the trial's lease alive: heartbeats every lease/3 on a background task. When a heartbeat
/// finds that this owner no longer holds the running trial, <see cref="Lost"/> is cancelled and the
/// training loop stops at once without writing anything more.
/// </summary>
public sealed class TrialLease : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TrialLease(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> log)
    {
        _loop = Task.Run(async () =>
        {
            var every = lease / 3;
            while (!_stop.IsCancellationRequested)
            {
                try { await Task.Delay(every, _stop.Token); }
                catch (OperationCanceledException) { return; }
                try
                {
                    if (trials.Heartbeat(trialId, owner, lease)) continue;
                    log($"lease lost: trial {trialId} is no longer running under owner {owner}; stopping");
                    _lost.Cancel();
                    return;
                }
                catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
                {
                    log($"heartbeat failed ({e.Message}); trying again in {every.TotalSeconds:0.#} s");
                }
            }
        });
    }

    /// <summary>Cancelled when the lease is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    public static TrialLease Start(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> log) =>
        new(trials, trialId, owner, lease, log);

    /// <summary>Stops heartbeating (before the owner marks the trial's outcome).</summary>
    public void Stop()
    {
        _stop.Cancel();
        try { _loop.Wait(); } catch (AggregateException) { }
    }

    public void Dispose()
    {
        Stop();
        _lost.Dispose();
        _stop.Dispose();
    }
}
