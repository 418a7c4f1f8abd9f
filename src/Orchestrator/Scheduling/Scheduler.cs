using Core.Store;
using Orchestrator.Execution;

namespace Orchestrator.Scheduling;

/// <summary>
/// Runs a registered sweep to its end: claims claimable trials (pending, or abandoned with an
/// expired lease, or held by processes of this host that are gone) atomically, keeps up to
/// <see cref="SchedulerOptions.Parallel"/> of them running (fewer after trials ran out of memory),
/// each on a GPU of <see cref="SchedulerOptions.Gpus"/> with room (see <see cref="GpuPool"/>) when there are GPUs,
/// waits for trials held by other live owners (unless <see cref="SchedulerOptions.WaitForOthers"/>
/// is off, as in a Slurm worker), counts the Runners of a dead owner still stopping on this host
/// against its parallel, and returns when every trial of the sweep is completed or failed,
/// or when nothing is left to claim and it does not wait, or when stopped. It knows the sweep's
/// trials by id only; how a trial runs is the executor's business.
/// </summary>
internal sealed class Scheduler(Database db, ITrialExecutor executor, SchedulerOptions options, ISweepObserver observer, string owner)
{
    private readonly TrialRepository _trials = new(db);

    /// <summary>This orchestrator's owner token, recorded on every trial it claims (see <see cref="Core.Contract.OwnerToken"/>).</summary>
    public string Owner { get; } = owner;

    public async Task<SweepOutcome> RunAsync(string sweep, StopSignals stop)
    {
        var concurrency = new Concurrency(options.Parallel);
        var gpus = new GpuPool(options.Gpus, options.TrialsPerGpu);
        var supervisor = new TrialSupervisor(db, executor, options, concurrency, Owner, observer);
        var inFlight = new List<Task<TrialOutcome>>();
        var handled = new List<TrialOutcome>();
        string? lastWaitingFor = null;
        // Trials whose Runner outlived a database outage go back to pending now, with the checkpoint it saved, not when their lease runs out.
        var running = _trials.ListForSweep(sweep).Where(t => t.State == TrialStates.Running).Select(t => t.TrialId);
        foreach (var id in OutageInterruption.ReleaseAll(db, running))
            observer.Warning(id, "interrupted by a database outage in an earlier run: back to pending, resuming from the checkpoint its Runner saved");

        while (true)
        {
            var stopping = stop.Requested;
            // Runners of a dead owner that are still stopping here take their places until they exit.
            var limit = concurrency.Limit - (!stopping && inFlight.Count < concurrency.Limit ? OrphansRunningHere(sweep) : 0);
            while (!stopping && inFlight.Count < limit && gpus.TryTake() is { } slot)
            {
                if (_trials.ClaimNext(sweep, Owner, options.Lease, options.SlurmJob) is not { } claimed)
                {
                    slot.Dispose();
                    break;
                }
                observer.Claimed(claimed);
                inFlight.Add(Task.Run(async () =>
                {
                    using (slot) return await supervisor.RunAsync(claimed, slot, stop, sweep).ConfigureAwait(false);
                }));
            }

            if (inFlight.Count == 0)
            {
                if (stopping) break;
                var heldByOthers = _trials.ListForSweep(sweep).Where(t => t.State == TrialStates.Running).ToList();
                if (heldByOthers.Count == 0) break; // every trial is completed, failed or stopped
                if (!options.WaitForOthers) break; // a worker: nothing left to claim, the rest is other workers' business
                var key = string.Join(',', heldByOthers.Select(t => t.TrialId + t.Owner));
                if (key != lastWaitingFor) observer.Waiting(heldByOthers);
                lastWaitingFor = key;
                if (!await DelayAsync(options.PollInterval, stop).ConfigureAwait(false)) break;
                continue;
            }

            // Wake when a trial ends, or (with free slots) after a poll interval to look for abandoned trials.
            var wakeUps = new List<Task>(inFlight);
            if (!stopping && inFlight.Count < concurrency.Limit && gpus.HasRoom) wakeUps.Add(DelayAsync(options.PollInterval, stop));
            await Task.WhenAny(wakeUps).ConfigureAwait(false);
            foreach (var done in inFlight.Where(t => t.IsCompleted).ToList())
            {
                inFlight.Remove(done);
                var outcome = await done.ConfigureAwait(false);
                handled.Add(outcome);
                observer.Finished(outcome);
            }
        }

        var counts = SweepCounts.From(_trials.ListForSweep(sweep).Select(t => t.State).ToList());
        return new SweepOutcome(sweep, counts, stop.Requested, handled);
    }

    private int OrphansRunningHere(string sweep) =>
        _trials.ListForSweep(sweep).Count(t => t.State == TrialStates.Running && Core.Contract.OwnerToken.IsOrphanRunningHere(t.Owner, t.Runner));

    /// <summary>Waits; false if a stop was requested meanwhile.</summary>
    private static async Task<bool> DelayAsync(TimeSpan delay, StopSignals stop)
    {
        using var any = CancellationTokenSource.CreateLinkedTokenSource(stop.Graceful, stop.Immediate);
        try
        {
            await Task.Delay(delay, any.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
