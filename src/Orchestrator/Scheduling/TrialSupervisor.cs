using Core;
using Core.Store;
using Orchestrator.Execution;
using Polly;
using Polly.Retry;

namespace Orchestrator.Scheduling;

/// <summary>
/// Carries one claimed trial to an end for this orchestrator: keeps its lease alive, runs attempts
/// through the executor, retries retryable exits with exponential backoff and jitter (Polly), and
/// records the outcome the Runner could not record itself (a crash after the last retry, a Runner
/// that died while stopping).
/// </summary>
public sealed class TrialSupervisor(Database db, ITrialExecutor executor, SchedulerOptions options, string owner, ISweepObserver observer)
{
    private readonly TrialRepository _trials = new(db);
    private readonly Backoff _backoff = new(options.RetryDelay, options.MaxRetryDelay);

    public async Task<TrialOutcome> RunAsync(TrialRow claimed, StopSignals stop)
    {
        var id = claimed.TrialId;
        await using var lease = new LeaseKeeper(_trials, id, owner, options.Lease, m => observer.Warning(id, m));
        using var stopOrLost = CancellationTokenSource.CreateLinkedTokenSource(stop.Graceful, stop.Immediate, lease.Lost);

        var launch = new TrialLaunch(id, owner, db.Path, options.Lease, options.ThreadsPerTrial, options.Device);
        var attempts = 0;
        TrialExit? last = null;
        try
        {
            last = await Pipeline(id, stop).ExecuteAsync(async _ =>
            {
                attempts++;
                if (!StillOurs(id)) return new TrialExit(ExitCodes.LeaseLost, ["the lease was lost before the attempt started"], StopRequested: false);
                return await executor.RunAsync(launch, e => observer.Progress(id, e), stop).ConfigureAwait(false);
            }, stopOrLost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped (or lost) during a retry's backoff: no Runner is running.
        }
        return Conclude(id, attempts, last, stop);
    }

    private ResiliencePipeline<TrialExit> Pipeline(string id, StopSignals stop)
    {
        var builder = new ResiliencePipelineBuilder<TrialExit>();
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<TrialExit>
            {
                MaxRetryAttempts = options.Retries,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { } r && ExitCodes.IsRetryable(r.ExitCode) && !r.StopRequested
                    && !stop.Graceful.IsCancellationRequested && !stop.Immediate.IsCancellationRequested),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(_backoff.Delay(args.AttemptNumber)),
                OnRetry = args =>
                {
                    var exit = args.Outcome.Result!;
                    // Closes this attempt as "retry" and opens the next under the same ownership.
                    if (_trials.Retry(id, owner, exit.ExitCode, exit.Reason))
                        observer.Retrying(id, args.AttemptNumber + 1, exit, args.AttemptNumber + 1, options.Retries, args.RetryDelay);
                    return default;
                },
            });
        }
        return builder.Build();
    }

    private bool StillOurs(string id) => _trials.Get(id) is { State: TrialStates.Running } t && t.Owner == owner;

    /// <summary>Reads what the Runner recorded and records what it could not.</summary>
    private TrialOutcome Conclude(string id, int attempts, TrialExit? exit, StopSignals stop)
    {
        var row = _trials.Get(id);
        var ours = row is { State: TrialStates.Running } && row.Owner == owner;
        var code = exit?.ExitCode;

        TrialOutcome Outcome(TrialResult r, string? reason) => new(id, r, attempts, code, reason);

        if (row?.State == TrialStates.Completed) return Outcome(TrialResult.Completed, null);
        if (row?.State == TrialStates.Failed) return Outcome(TrialResult.Failed, row.Failure);
        if (!ours)
        {
            // Pending again (the Runner released it after a stop) or held by another owner.
            return row?.State == TrialStates.Pending
                ? Outcome(TrialResult.Interrupted, row.Failure)
                : Outcome(TrialResult.LeaseLost, $"now held by {row?.Owner ?? "nobody"}");
        }

        // Still running under our name: the Runner did not record an end. Decide it here.
        var stopped = exit is null || exit.StopRequested || stop.Graceful.IsCancellationRequested || stop.Immediate.IsCancellationRequested;
        if (stopped)
        {
            // The Runner has exited (we waited for it), so the trial can go back to pending at once.
            var reason = exit is null ? "stopped during retry backoff" : $"stopped: {exit.Reason}";
            _trials.Release(id, owner, code, reason);
            return Outcome(TrialResult.Interrupted, reason);
        }
        if (code == ExitCodes.Done)
        {
            var reason = "the Runner exited 0 without completing the trial";
            _trials.Fail(id, owner, code, reason);
            return Outcome(TrialResult.Failed, reason);
        }
        var failure = ExitCodes.IsRetryable(code!.Value)
            ? exit!.Describe($"{exit.Summary} on attempt {attempts} of {options.Retries + 1}")
            : exit!.Reason;
        _trials.Fail(id, owner, code, failure);
        return Outcome(TrialResult.Failed, failure);
    }
}
