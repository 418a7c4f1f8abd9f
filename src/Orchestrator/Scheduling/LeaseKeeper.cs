using Core.Store;

namespace Orchestrator.Scheduling;

/// <summary>
/// Keeps a claimed trial's lease alive for as long as this orchestrator holds it: while its Runner
/// starts, runs and during retry backoff (the Runner heartbeats too, with the same owner token).
/// When a heartbeat finds the lease lost, <see cref="Lost"/> is cancelled.
/// </summary>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    public LeaseKeeper(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> onWarning)
    {
        _loop = Task.Run(() => LoopAsync(trials, trialId, owner, lease, onWarning));
    }

    /// <summary>Cancelled once a heartbeat found that this owner no longer holds the trial.</summary>
    public CancellationToken Lost => _lost.Token;

    private async Task LoopAsync(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> onWarning)
    {
        var period = lease / 3;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (!trials.Heartbeat(trialId, owner, lease))
                {
                    if (_stop.IsCancellationRequested) return; // finished between the delay and the heartbeat
                    _lost.Cancel();
                    return;
                }
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                onWarning($"heartbeat failed ({e.Message}); retrying");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }
}
