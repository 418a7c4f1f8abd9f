using System.Data.Common;

namespace Core.Store;

/// <summary>
/// Keeps a held trial's lease alive: every lease/3 it calls
/// <see cref="TrialRepository.Heartbeat"/> for the owner. The orchestrator runs one while it holds a
/// trial (also while the Runner starts and during retry backoff); the Runner runs one while it
/// trains; both with the same owner token. A beat that fails (database busy or unreachable, disk trouble) is
/// reported and tried again; one that finds the trial no longer held by the owner cancels
/// <see cref="Lost"/>, unless the holder stopped the heartbeat meanwhile. See docs/contract.md.
/// </summary>
public sealed class LeaseHeartbeat : IDisposable, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    /// <param name="warn">Told about failed beats and a lost lease.</param>
    /// <param name="quietWhenEnded">
    /// For the orchestrator's beat, whose Runner records the trial's end itself: a trial that is no
    /// longer running at all was ended by that Runner, not taken by another owner, so <see cref="Lost"/>
    /// is cancelled without a warning. A trial running under another owner is always warned about.
    /// </param>
    public LeaseHeartbeat(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> warn, bool quietWhenEnded = false)
    {
        _loop = Task.Run(() => LoopAsync(trials, trialId, owner, lease, warn, quietWhenEnded));
    }

    /// <summary>Cancelled once a heartbeat found that the owner no longer holds the running trial.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>How often the lease is extended: a third of it, so two beats can fail before it runs out.</summary>
    public static TimeSpan PeriodOf(TimeSpan lease) => lease / 3;

    private async Task LoopAsync(TrialRepository trials, string trialId, string owner, TimeSpan lease, Action<string> warn, bool quietWhenEnded)
    {
        var period = PeriodOf(lease);
        while (true)
        {
            try
            {
                await Task.Delay(period, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            bool held;
            try
            {
                held = trials.Heartbeat(trialId, owner, lease);
            }
            catch (Exception e) when (Transient(e))
            {
                if (_stop.IsCancellationRequested) return;
                warn($"heartbeat failed ({e.Message}); trying again in {period.TotalSeconds:0.#} s");
                continue;
            }
            if (held) continue;
            if (_stop.IsCancellationRequested) return; // the holder ended the trial between the delay and the beat
            var now = TryGet(trials, trialId);
            if (now is { State: TrialStates.Running })
                warn($"lease lost: trial {trialId} is now running under owner {now.Owner}, not {owner}");
            else if (!quietWhenEnded)
                warn($"lease lost: trial {trialId} is no longer running under owner {owner} (it is {now?.State ?? "gone"})");
            await _lost.CancelAsync().ConfigureAwait(false);
            return;
        }
    }

    private static TrialRow? TryGet(TrialRepository trials, string trialId)
    {
        try { return trials.Get(trialId); }
        catch (Exception e) when (Transient(e)) { return null; }
    }

    /// <summary>Stops beating and waits for the loop to end (before the holder records the trial's outcome).</summary>
    public void Stop()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
        _lost.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }

    /// <summary>A beat that failed this way may succeed next time: the store was briefly unreachable or busy.</summary>
    private static bool Transient(Exception e) => e is DbException or IOException or TimeoutException or DiskFullException;
}
