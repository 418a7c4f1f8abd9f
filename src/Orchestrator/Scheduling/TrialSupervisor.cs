using Core.Contract;
using Core.Store;
using Orchestrator.Execution;
using Polly;
using Polly.Retry;

namespace Orchestrator.Scheduling;

/// <summary>
/// Carries one claimed trial to an end for this orchestrator: keeps its lease alive, runs attempts
/// through the executor, retries retryable exits with exponential backoff and jitter (Polly) unless
/// an attempt failed exactly as the one before, sends a trial that ran out of memory beside others
/// back to pending with a lower <see cref="Concurrency"/> (or, on a GPU, a lower capacity of that
/// GPU: <see cref="GpuSlot.LowerBelow"/>), and records the outcome the Runner could
/// not record itself (a crash after the last retry, a Runner that died while stopping), with the
/// Runner's own failure message as the reason and its stderr tail in a column of its own.
/// </summary>
internal sealed class TrialSupervisor(Database db, ITrialExecutor executor, SchedulerOptions options, Concurrency concurrency, string owner, ISweepObserver observer)
{
    private readonly TrialRepository _trials = new(db);
    private readonly Backoff _backoff = new(options.RetryDelay, options.MaxRetryDelay);

    /// <summary>One attempt's exit, and how many attempts of this orchestrator ran when it ended (itself included), on the machine and on its GPU.</summary>
    private sealed record Attempted(TrialExit Exit, int Sharing, int SharingGpu);

    /// <summary>
    /// Carries the trial to an end; its Runners get <paramref name="gpu"/>'s GPU, and with an
    /// early-stopping rule (<see cref="SchedulerOptions.EarlyStopping"/>) compare it with the other trials of <paramref name="sweep"/>.
    /// </summary>
    public async Task<TrialOutcome> RunAsync(TrialRow claimed, GpuSlot gpu, StopSignals stop, string? sweep = null)
    {
        var id = claimed.TrialId;
        await using var lease = new LeaseHeartbeat(_trials, id, owner, options.Lease, m => observer.Warning(id, m), quietWhenEnded: true);
        using var stopOrLost = CancellationTokenSource.CreateLinkedTokenSource(stop.Graceful, stop.Immediate, lease.Lost);

        var launch = new TrialLaunch(id, owner, db.Location, db.Folder, options.Lease, options.ThreadsPerTrial, options.Device, gpu.Gpu, options.RunnerEnvironment, options.DbOutage,
            options.EarlyStopping is { } rule && sweep is not null ? new PeerRule(sweep, rule) : null);
        var attempts = new List<Attempted>();
        var stoppedInBackoff = false;
        try
        {
            await Pipeline(id, attempts, stop).ExecuteAsync(async _ =>
            {
                var attempted = await AttemptAsync(id, launch, gpu, stop).ConfigureAwait(false);
                attempts.Add(attempted);
                return attempted.Exit;
            }, stopOrLost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped (or lost) during a retry's backoff: no Runner is running.
            stoppedInBackoff = true;
        }
        return Conclude(id, attempts, gpu, stoppedInBackoff, stop);
    }

    private async Task<Attempted> AttemptAsync(string id, TrialLaunch launch, GpuSlot gpu, StopSignals stop)
    {
        if (!StillOurs(id)) return new(new TrialExit(RunnerExitCode.LeaseLost, ["the lease was lost before the attempt started"], StopRequested: false), 1, 1);
        using var running = concurrency.Start();
        using var onGpu = gpu.Start();
        var exit = await executor.RunAsync(launch, e => Report(id, e), stop).ConfigureAwait(false);
        return new(exit, running.Sharing, onGpu.Sharing);
    }

    private void Report(string id, RunnerEvent e)
    {
        if (e is WarningEvent w) observer.Warning(id, w.Message);
        else observer.Progress(id, e);
    }

    private ResiliencePipeline<TrialExit> Pipeline(string id, List<Attempted> attempts, StopSignals stop)
    {
        var builder = new ResiliencePipelineBuilder<TrialExit>();
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<TrialExit>
            {
                MaxRetryAttempts = options.Retries,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { } r && RunnerExitCode.IsRetryable(r.ExitCode) && !r.StopRequested && !stop.Requested
                    && !RepeatsThePrevious(attempts)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(_backoff.Delay(args.AttemptNumber)),
                OnRetry = args =>
                {
                    var exit = args.Outcome.Result!;
                    // Closes this attempt as "retry" and opens the next under the same ownership.
                    if (_trials.Retry(id, owner, exit.End(exit.Reason), options.SlurmJob))
                        observer.Retrying(id, args.AttemptNumber + 1, exit, args.AttemptNumber + 1, options.Retries, args.RetryDelay);
                    return default;
                },
            });
        }
        return builder.Build();
    }

    /// <summary>The last attempt reported the very failure (kind and message) of the one before: another would fail the same way.</summary>
    private static bool RepeatsThePrevious(List<Attempted> attempts) =>
        attempts.Count >= 2 && attempts[^1].Exit.Failure is { } failure && failure == attempts[^2].Exit.Failure;

    /// <summary>
    /// The owner whose attempt ended the trial, when it is not this orchestrator (its lease ran out and
    /// another orchestrator reclaimed the trial): "owner vm:4242:918273:3f9a1c2b (host vm)"; null when the end is ours.
    /// </summary>
    private string? TakenOverBy(TrialRow row)
    {
        var last = _trials.Attempts(row.TrialId).LastOrDefault(a => a.Attempt == row.Attempt);
        if (last?.Owner is not { } other || other == owner) return null;
        return OwnerToken.ProcessOf(other) is { } process ? $"owner {other} (host {process.Host})" : $"owner {other}";
    }

    private bool StillOurs(string id) => _trials.Get(id) is { State: TrialStates.Running } t && t.Owner == owner;

    /// <summary>Reads what the Runner recorded and records what it could not.</summary>
    private TrialOutcome Conclude(string id, List<Attempted> attempts, GpuSlot gpu, bool stoppedInBackoff, StopSignals stop)
    {
        var row = _trials.Get(id);
        var ours = row is { State: TrialStates.Running } && row.Owner == owner;
        var last = attempts.Count > 0 ? attempts[^1] : null;
        var exit = last?.Exit;
        var code = exit?.ExitCode;

        TrialOutcome Outcome(TrialResult r, string? reason) => new(id, r, attempts.Count, code, reason);

        // Ended by another owner that took it over while this one could not keep its lease (stopped, cut off): not this run's end.
        if (row is { State: TrialStates.Completed or TrialStates.Stopped or TrialStates.Failed } && TakenOverBy(row) is { } other)
            return Outcome(TrialResult.LeaseLost, $"taken over by {other}, which {row.State switch
            {
                TrialStates.Completed => "completed it",
                TrialStates.Stopped => "stopped it early",
                _ => "ended it as failed",
            }}; not counted as this run's");
        if (row?.State == TrialStates.Completed) return Outcome(TrialResult.Completed, null);
        if (row?.State == TrialStates.Stopped) return Outcome(TrialResult.Stopped, row.Stop?.Describe());
        if (row?.State == TrialStates.Failed)
        {
            // The Runner failed it (bad input, divergence) and recorded why; its stderr is ours to add.
            if (exit?.StderrText is { } stderr) _trials.RecordStderr(id, row.Attempt, stderr);
            return Outcome(TrialResult.Failed, row.Failure);
        }
        if (!ours)
        {
            // Pending again (the Runner released it after a stop) or held by another owner.
            return row?.State == TrialStates.Pending
                ? Outcome(TrialResult.Interrupted, row.Failure)
                : Outcome(TrialResult.LeaseLost, $"now held by {row?.Owner ?? "nobody"}");
        }

        // Still running under our name: the Runner did not record an end. Decide it here.
        if (code == RunnerExitCode.Interrupted && OutageInterruption.Read(db, id) is { } outage && _trials.ReleaseAfterOutage(outage))
            return Outcome(TrialResult.Interrupted, outage.Reason); // past the outage window; the database answers again now
        if (exit is null || stoppedInBackoff || exit.StopRequested || stop.Requested)
        {
            // The Runner has exited (we waited for it), so the trial can go back to pending at once.
            var reason = exit is null ? "stopped before its first attempt"
                : stoppedInBackoff ? $"stopped during retry backoff, after {exit.Reason}"
                : $"stopped: {exit.Reason}";
            _trials.Release(id, owner, code, reason);
            return Outcome(TrialResult.Interrupted, reason);
        }
        if (exit.ExitCode == RunnerExitCode.Done)
        {
            var reason = "the Runner exited 0 without completing the trial";
            _trials.Fail(id, owner, exit.End(reason));
            return Outcome(TrialResult.Failed, reason);
        }
        if (exit.ExitCode == RunnerExitCode.OutOfMemory && gpu.Gpu is { } onGpu && last!.SharingGpu > 1)
        {
            // Its GPU ran out beside other trials: that GPU takes fewer from now on; the trial runs again.
            var limit = gpu.LowerBelow(last.SharingGpu);
            var reason = exit.Describe($"{exit.Summary} while {last.SharingGpu} trials shared GPU {onGpu}");
            _trials.Requeue(id, owner, exit.End(reason));
            observer.Warning(id, $"out of memory on GPU {onGpu} beside {last.SharingGpu - 1} other trial(s): back to pending; from now on GPU {onGpu} takes at most {limit} trial(s) at once");
            return Outcome(TrialResult.Requeued, reason);
        }
        if (exit.ExitCode == RunnerExitCode.OutOfMemory && gpu.Gpu is null && last!.Sharing > 1)
        {
            var limit = concurrency.LowerBelow(last.Sharing);
            var reason = exit.Describe($"{exit.Summary} while {last.Sharing} trials ran at once");
            _trials.Requeue(id, owner, exit.End(reason));
            observer.Warning(id, $"out of memory beside {last.Sharing - 1} other trial(s): back to pending; from now on at most {limit} trial(s) run at once");
            return Outcome(TrialResult.Requeued, reason);
        }

        var attempt = $"on attempt {attempts.Count} of {options.Retries + 1}";
        var failure = exit.ExitCode switch
        {
            RunnerExitCode.OutOfMemory => exit.Describe($"{exit.Summary} running alone{(gpu.Gpu is { } alone ? $" on GPU {alone}" : "")}"),
            _ when RepeatsThePrevious(attempts) => exit.Describe($"{exit.Summary} {attempt}, exactly as on attempt {attempts.Count - 1}, so not retried"),
            _ when RunnerExitCode.IsRetryable(exit.ExitCode) => exit.Describe($"{exit.Summary} {attempt}"),
            _ => exit.Reason,
        };
        _trials.Fail(id, owner, exit.End(failure));
        return Outcome(TrialResult.Failed, failure);
    }
}
