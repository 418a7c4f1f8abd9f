using Core.Contract;
using Dapper;

namespace Core.Store;

/// <summary>
/// The trial state machine: pending → running → completed | failed, and back to pending on a
/// graceful stop. Ownership is a lease: the owner must heartbeat before <c>lease_until</c>, or the
/// trial counts as abandoned and any orchestrator may claim it again; so does a trial whose owner
/// and Runner ran on this host and are gone. The lease protocol is described in docs/contract.md.
/// </summary>
public sealed class TrialRepository(Database db)
{
    /// <summary>Creates the trial if it does not exist (standalone Runner use). Returns true if created.</summary>
    public bool Ensure(string trialId, string configJson)
    {
        return db.Run(c =>
        {
            return c.Execute("INSERT INTO trials(trial_id, config_json, created_at) VALUES (@trialId, @configJson, @now) ON CONFLICT(trial_id) DO NOTHING",
                new { trialId, configJson, now = Timestamps.Now() }) == 1;
        });
    }

    public TrialRow? Get(string trialId)
    {
        return db.Run(c =>
        {
            return c.QuerySingleOrDefault<TrialRow>("SELECT * FROM trials WHERE trial_id = @trialId", new { trialId });
        });
    }

    /// <summary>
    /// The trial and the trials it extends, nearest first (<see cref="TrialRow.ExtendsTrialId"/>): whose
    /// checkpoint files its checkpoint rows may name.
    /// </summary>
    public IReadOnlyList<string> Lineage(string trialId)
    {
        return db.Run(c =>
        {
            var lineage = new List<string> { trialId };
            while (c.QuerySingleOrDefault<string?>("SELECT extends_trial_id FROM trials WHERE trial_id = @id", new { id = lineage[^1] }) is { } from
                   && !lineage.Contains(from))
                lineage.Add(from);
            return lineage;
        });
    }

    /// <summary>The ids that start with <paramref name="prefix"/> (lowercase hex digits, as ids are written), in order.</summary>
    public IReadOnlyList<string> IdsStartingWith(string prefix)
    {
        if (prefix.Length == 0 || !prefix.All(char.IsAsciiHexDigitLower)) return []; // nothing else can start an id, and LIKE sees no wildcard
        return db.Run(c =>
        {
            return c.Query<string>("SELECT trial_id FROM trials WHERE trial_id LIKE @pattern ORDER BY trial_id", new { pattern = prefix + "%" }).AsList();
        });
    }

    /// <summary>The trials of a sweep in grid order.</summary>
    public IReadOnlyList<TrialRow> ListForSweep(string sweep)
    {
        return db.Run(c =>
        {
            return c.Query<TrialRow>("""
                SELECT t.* FROM trials t JOIN sweep_trials st ON st.trial_id = t.trial_id
                WHERE st.sweep = @sweep ORDER BY st.ordinal
                """, new { sweep }).AsList();
        });
    }

    /// <summary>
    /// Atomically claims the next claimable trial of the sweep in grid order: one that is pending,
    /// or running with an expired lease, or running under a live lease whose holders on this host
    /// are gone (<see cref="OwnerToken.IsOrphanedHere"/>). One transaction, so two claimers never
    /// get the same trial. Increments the attempt and opens an attempts row. Returns null when
    /// nothing is claimable. <paramref name="slurmJob"/>: the Slurm array task the claimer runs in
    /// (e.g. <c>4242_3</c>), recorded on the attempt in the same transaction.
    /// </summary>
    public TrialRow? ClaimNext(string sweep, string owner, TimeSpan lease, string? slurmJob = null) => Claim(owner, lease, sweep, trialId: null, slurmJob);

    /// <summary>Claims one specific trial if it is claimable (standalone Runner use).</summary>
    public TrialRow? ClaimTrial(string trialId, string owner, TimeSpan lease) => Claim(owner, lease, sweep: null, trialId, slurmJob: null);

    private TrialRow? Claim(string owner, TimeSpan lease, string? sweep, string? trialId, string? slurmJob)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var now = Timestamps.UnixNow();
            var scope = sweep is not null
                ? "t.trial_id IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)"
                : "t.trial_id = @trialId";
            // Held under a live lease, but by processes of this host that are gone: no need to wait for the lease.
            var orphans = c.Query<TrialRow>($"SELECT t.* FROM trials t WHERE {scope} AND t.state = 'running' AND t.lease_until >= @now",
                    new { sweep, trialId, now }, tx)
                .Where(t => OwnerToken.IsOrphanedHere(t.Owner, t.Runner))
                .ToDictionary(t => t.TrialId, t => t.Owner);
            var orphanIds = orphans.Keys.ToArray();
            var orphaned = orphanIds.Length == 0 ? "" : $" OR {db.Dialect.InList("t.trial_id", nameof(orphanIds))}";
            var claimable = $"(t.state = 'pending' OR (t.state = 'running' AND (t.lease_until < @now{orphaned})))";
            // The claimable trial first in grid order; on PostgreSQL locked for this transaction, passing over those other claimers hold.
            var candidate = sweep is not null
                ? $"""
                  SELECT t.trial_id FROM trials t JOIN sweep_trials st ON st.trial_id = t.trial_id
                  WHERE st.sweep = @sweep AND {claimable}
                  ORDER BY st.ordinal LIMIT 1{db.Dialect.SkipLocked("t")}
                  """
                : $"SELECT t.trial_id FROM trials t WHERE t.trial_id = @trialId AND {claimable}{db.Dialect.SkipLocked("t")}";
            var row = c.QuerySingleOrDefault<TrialRow>($"""
                UPDATE trials SET state = 'running', owner = @owner, lease_until = @leaseUntil, attempt = attempt + 1, runner = NULL,
                                  started_at = COALESCE(started_at, @stamp), exit_code = NULL, failure = NULL, failure_kind = NULL, stderr_tail = NULL
                WHERE trial_id = ({candidate})
                RETURNING *
                """, new { sweep, trialId, owner, now, orphanIds, leaseUntil = now + lease.TotalSeconds, stamp = Timestamps.Now() }, tx);
            if (row is not null)
            {
                // A previous attempt that never closed its row was abandoned (its process died with its owner).
                var reason = orphans.TryGetValue(row.TrialId, out var gone) ? $"owner {gone} and its Runner are gone" : "lease expired";
                c.Execute("UPDATE attempts SET ended_at = @stamp, outcome = 'abandoned', reason = @reason WHERE trial_id = @TrialId AND ended_at IS NULL",
                    new { row.TrialId, reason, stamp = Timestamps.Now() }, tx);
                c.Execute(OpenAttempt, new { trialId = row.TrialId, attempt = row.Attempt, owner, stamp = Timestamps.Now(), slurmJob }, tx);
            }
            tx.Commit();
            return row;
        });
    }

    /// <summary>
    /// Opens attempt @attempt of the trial, run in Slurm array task @slurmJob (null outside Slurm);
    /// a row left with that number (never expected) is started afresh.
    /// </summary>
    private const string OpenAttempt = """
        INSERT INTO attempts(trial_id, attempt, owner, started_at, slurm_job) VALUES (@trialId, @attempt, @owner, @stamp, @slurmJob)
        ON CONFLICT(trial_id, attempt) DO UPDATE SET owner = excluded.owner, started_at = excluded.started_at, ended_at = NULL,
            exit_code = NULL, outcome = NULL, reason = NULL, failure_kind = NULL, stderr_tail = NULL, slurm_job = excluded.slurm_job, cuda_visible_devices = NULL
        """;

    /// <summary>
    /// The Runner running the trial for <paramref name="owner"/> records its own process
    /// (<see cref="ProcessIdentity"/>) and extends the lease, in one statement that also checks that
    /// the owner still holds the trial. False if it does not: the Runner must not start.
    /// </summary>
    public bool AttachRunner(string trialId, string owner, ProcessIdentity runner, TimeSpan lease)
    {
        return db.Run(c =>
        {
            return c.Execute("UPDATE trials SET runner = @runner, lease_until = @until WHERE trial_id = @trialId AND owner = @owner AND state = 'running'",
                new { trialId, owner, runner = runner.ToString(), until = Timestamps.UnixNow() + lease.TotalSeconds }) == 1;
        });
    }

    /// <summary>
    /// Extends the lease. Returns false if <paramref name="owner"/> no longer owns the running trial (lease lost).
    /// Tried once (a transient error is the caller's: <see cref="LeaseHeartbeat"/> beats again a period later, and
    /// must not wait out a window while its holder stops it); the pool's broken connections are dropped on one.
    /// </summary>
    public bool Heartbeat(string trialId, string owner, TimeSpan lease)
    {
        return db.Run(c =>
        {
            return c.Execute("UPDATE trials SET lease_until = @until WHERE trial_id = @trialId AND owner = @owner AND state = 'running'",
                new { trialId, owner, until = Timestamps.UnixNow() + lease.TotalSeconds }) == 1;
        }, rideOut: false);
    }

    /// <summary>Records progress (last completed epoch, last step) and, once known, the device and model size.</summary>
    public void Progress(string trialId, int epoch, long step, string? device = null, long? parameters = null, int? vocabSize = null)
    {
        db.Run(c =>
        {
            c.Execute("""
                UPDATE trials SET epoch = @epoch, step = @step, device = COALESCE(@device, device),
                                  params = COALESCE(@parameters, params), vocab_size = COALESCE(@vocabSize, vocab_size)
                WHERE trial_id = @trialId
                """, new { trialId, epoch, step, device, parameters, vocabSize });
        });
    }

    /// <summary>
    /// Records where the trial runs, as its Runner found it: on the trial the device, GPU, libtorch and
    /// CUDA versions; on the current attempt the CUDA_VISIBLE_DEVICES it was started with. Only while
    /// <paramref name="owner"/> holds it; false otherwise.
    /// </summary>
    public bool RecordRuntime(string trialId, string owner, TrialRuntime runtime)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var args = new { trialId, owner, runtime.Device, runtime.GpuName, runtime.LibtorchVersion, runtime.CudaVersion, runtime.CudaVisibleDevices };
            var changed = c.Execute("""
                UPDATE trials SET device = @Device, gpu_name = @GpuName, libtorch_version = @LibtorchVersion, cuda_version = @CudaVersion
                WHERE trial_id = @trialId AND owner = @owner AND state = 'running'
                """, args, tx);
            if (changed == 1)
                c.Execute("""
                    UPDATE attempts SET cuda_visible_devices = @CudaVisibleDevices
                    WHERE trial_id = @trialId AND attempt = (SELECT attempt FROM trials WHERE trial_id = @trialId)
                    """, args, tx);
            tx.Commit();
            return changed == 1;
        });
    }

    /// <summary>running → completed. Returns false if the caller did not own it.</summary>
    public bool Complete(string trialId, string owner) =>
        Finish(trialId, owner, TrialStates.Completed, "completed", new AttemptEnd(0, null));

    /// <summary>
    /// running → stopped: an early-stopping rule decided at an epoch end that the trial cannot win.
    /// Records the decision (rule, epoch, value, threshold, peers) with the end, in one transaction,
    /// and only while <paramref name="owner"/> holds the trial; false otherwise.
    /// </summary>
    public bool Stop(string trialId, string owner, StopDecision decision) =>
        Finish(trialId, owner, TrialStates.Stopped, "stopped", new AttemptEnd(RunnerExitCode.Stopped, decision.Describe()), decision);

    /// <summary>
    /// stopped → pending for every stopped trial of the sweep (<c>run --no-early-stopping</c>), so the
    /// next run trains them to their full budget from their newest checkpoint. Returns how many.
    /// </summary>
    public int RequeueStopped(string sweep)
    {
        return db.Run(c =>
        {
            return c.Execute("""
                UPDATE trials SET state = 'pending', exit_code = NULL, failure = NULL, finished_at = NULL,
                                  stop_rule = NULL, stop_epoch = NULL, stop_metric = NULL, stop_value = NULL, stop_threshold = NULL, stop_peers = NULL
                WHERE state = 'stopped' AND trial_id IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)
                """, new { sweep });
        });
    }

    /// <summary>running → failed, keeping why (exit code, reason, failure kind, stderr tail).</summary>
    public bool Fail(string trialId, string owner, AttemptEnd end) => Finish(trialId, owner, TrialStates.Failed, "failed", end);

    /// <inheritdoc cref="Fail(string, string, AttemptEnd)"/>
    public bool Fail(string trialId, string owner, int? exitCode, string reason) => Fail(trialId, owner, new AttemptEnd(exitCode, reason));

    /// <summary>running → pending (graceful stop); the next claim resumes from the newest checkpoint.</summary>
    public bool Release(string trialId, string owner, int? exitCode, string reason) =>
        Finish(trialId, owner, TrialStates.Pending, "interrupted", new AttemptEnd(exitCode, reason));

    /// <summary>running → pending after running out of memory beside other trials; the next claim tries again with fewer of them.</summary>
    public bool Requeue(string trialId, string owner, AttemptEnd end) => Finish(trialId, owner, TrialStates.Pending, "requeued", end);

    /// <summary>
    /// Closes the current attempt as one to retry and opens the next one, keeping ownership
    /// (<paramref name="slurmJob"/>: the Slurm array task the next one runs in, as for <see cref="ClaimNext"/>).
    /// </summary>
    public bool Retry(string trialId, string owner, AttemptEnd end, string? slurmJob = null)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var attempt = c.QuerySingleOrDefault<int?>($"SELECT attempt FROM trials WHERE trial_id = @trialId AND owner = @owner AND state = 'running'{db.Dialect.LockRow}",
                new { trialId, owner }, tx);
            if (attempt is null) return false;
            var stamp = Timestamps.Now();
            var args = new { trialId, attempt, next = attempt + 1, owner, stamp, end.ExitCode, end.Reason, end.FailureKind, end.StderrTail };
            c.Execute("""
                UPDATE attempts SET ended_at = @stamp, exit_code = @ExitCode, outcome = 'retry', reason = @Reason, failure_kind = @FailureKind, stderr_tail = @StderrTail
                WHERE trial_id = @trialId AND attempt = @attempt
                """, args, tx);
            c.Execute("""
                UPDATE trials SET attempt = @next, runner = NULL, exit_code = @ExitCode, failure = @Reason, failure_kind = @FailureKind, stderr_tail = @StderrTail
                WHERE trial_id = @trialId
                """, args, tx);
            c.Execute(OpenAttempt, new { trialId, attempt = attempt + 1, owner, stamp, slurmJob }, tx);
            tx.Commit();
            return true;
        });
    }

    /// <inheritdoc cref="Retry(string, string, AttemptEnd, string?)"/>
    public bool Retry(string trialId, string owner, int? exitCode, string reason) => Retry(trialId, owner, new AttemptEnd(exitCode, reason));

    /// <summary>
    /// Adds the stderr tail of attempt <paramref name="attempt"/> after its Runner recorded the end
    /// itself (a Runner cannot keep its own stderr); to the trial too, if that attempt set its failure.
    /// </summary>
    public void RecordStderr(string trialId, int attempt, string stderrTail)
    {
        db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            c.Execute("UPDATE attempts SET stderr_tail = @stderrTail WHERE trial_id = @trialId AND attempt = @attempt", new { trialId, attempt, stderrTail }, tx);
            c.Execute("UPDATE trials SET stderr_tail = @stderrTail WHERE trial_id = @trialId AND attempt = @attempt AND failure IS NOT NULL",
                new { trialId, attempt, stderrTail }, tx);
            tx.Commit();
        });
    }

    private bool Finish(string trialId, string owner, string state, string outcome, AttemptEnd end, StopDecision? stop = null)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var changed = FinishIn(c, tx, trialId, owner, state, outcome, end, stop);
            tx.Commit();
            return changed;
        });
    }

    /// <summary>
    /// running → pending for a trial whose Runner outlived the outage window (<see cref="OutageInterruption"/>),
    /// at once rather than when its lease runs out. In one transaction, and only while the marker's owner
    /// still holds the running trial at the marker's attempt (fencing: on PostgreSQL the trial's row is
    /// locked first): records the checkpoint the Runner saved but could not record (if its file is there
    /// with the sha256 it names), with its probe and the metric rows before it, then releases the trial,
    /// closing the attempt as <c>interrupted</c> (not a failure). The marker is removed either way once
    /// the database answered. False when the owner no longer held the trial (nothing was written).
    /// </summary>
    public bool ReleaseAfterOutage(OutageInterruption marker)
    {
        var checkpoint = marker.Checkpoint is { } saved && File.Exists(db.Resolve(saved.Path)) && Core.Data.FileHash.Sha256(db.Resolve(saved.Path)) == saved.Sha256
            ? saved : null;
        var released = db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var held = c.QuerySingleOrDefault<int?>($"""
                SELECT 1 FROM trials WHERE trial_id = @TrialId AND owner = @Owner AND attempt = @Attempt AND state = 'running'{db.Dialect.LockRow}
                """, new { marker.TrialId, marker.Owner, marker.Attempt }, tx) is not null;
            if (!held) return false;
            if (checkpoint is not null)
            {
                // In the order a Runner records them: metrics, probe, then the checkpoint's row.
                c.Execute(ResultRepository.UpsertMetric, marker.Metrics, tx);
                if (marker.Probe is { } probe) c.Execute(ResultRepository.UpsertProbe, probe, tx);
                c.Execute(ResultRepository.UpsertCheckpoint, checkpoint, tx);
                c.Execute("UPDATE trials SET epoch = @Epoch, step = @Step WHERE trial_id = @TrialId", new { checkpoint.TrialId, checkpoint.Epoch, checkpoint.Step }, tx);
            }
            FinishIn(c, tx, marker.TrialId, marker.Owner, TrialStates.Pending, "interrupted", new AttemptEnd(RunnerExitCode.Interrupted, marker.Reason));
            tx.Commit();
            return true;
        });
        marker.Remove(db);
        return released;
    }

    private static bool FinishIn(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string trialId, string owner, string state, string outcome,
        AttemptEnd end, StopDecision? stop = null)
    {
        var args = new
        {
            trialId, owner, state, outcome, stamp = Timestamps.Now(), end.ExitCode, end.FailureKind, end.StderrTail,
            // A stopped trial did not fail: its reason is on its attempt and in its stop_* columns.
            Reason = stop is null ? end.Reason : null, AttemptReason = end.Reason,
            StopRule = stop?.Rule, StopEpoch = stop?.Epoch, StopMetric = stop?.Metric, StopValue = stop?.Value, StopThreshold = stop?.Threshold, StopPeers = stop?.Peers,
        };
        var changed = c.Execute("""
            UPDATE trials SET state = @state, owner = NULL, lease_until = NULL, runner = NULL, exit_code = @ExitCode, failure = @Reason,
                              failure_kind = @FailureKind, stderr_tail = @StderrTail,
                              stop_rule = @StopRule, stop_epoch = @StopEpoch, stop_metric = @StopMetric, stop_value = @StopValue,
                              stop_threshold = @StopThreshold, stop_peers = @StopPeers,
                              finished_at = CASE WHEN @state IN ('completed', 'failed', 'stopped') THEN @stamp ELSE finished_at END
            WHERE trial_id = @trialId AND owner = @owner AND state = 'running'
            """, args, tx);
        if (changed == 1)
        {
            c.Execute("""
                UPDATE attempts SET ended_at = @stamp, exit_code = @ExitCode, outcome = @outcome, reason = @AttemptReason,
                                    failure_kind = @FailureKind, stderr_tail = @StderrTail
                WHERE trial_id = @trialId AND attempt = (SELECT attempt FROM trials WHERE trial_id = @trialId)
                """, args, tx);
        }
        return changed == 1;
    }

    /// <summary>
    /// failed → pending for every failed trial of the sweep, so the next run tries them again
    /// (resuming from their newest checkpoint). Their attempts keep the old reasons. Returns how many.
    /// </summary>
    public int RequeueFailed(string sweep)
    {
        return db.Run(c =>
        {
            return c.Execute("""
                UPDATE trials SET state = 'pending', exit_code = NULL, failure = NULL, failure_kind = NULL, stderr_tail = NULL, finished_at = NULL
                WHERE state = 'failed' AND trial_id IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)
                """, new { sweep });
        });
    }

    public IReadOnlyList<AttemptRow> Attempts(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<AttemptRow>("SELECT * FROM attempts WHERE trial_id = @trialId ORDER BY attempt", new { trialId }).AsList();
        });
    }
}

/// <summary>How an attempt ended, as recorded: the exit code, the reason (for people), the <see cref="Contract.FailureKind"/> and the stderr tail.</summary>
public sealed record AttemptEnd(int? ExitCode, string? Reason, string? FailureKind = null, string? StderrTail = null);

/// <summary>Where an attempt of a trial runs: device (cpu, cuda), GPU name, libtorch and CUDA versions, and the CUDA_VISIBLE_DEVICES its Runner got.</summary>
public sealed record TrialRuntime(string Device, string? GpuName, string? LibtorchVersion, string? CudaVersion, string? CudaVisibleDevices);
