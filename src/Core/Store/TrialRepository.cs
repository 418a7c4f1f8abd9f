using Dapper;

namespace Core.Store;

/// <summary>
/// The trial state machine: pending → running → completed | failed, and back to pending on a
/// graceful stop. Ownership is a lease: the owner must heartbeat before <c>lease_until</c>, or the
/// trial counts as abandoned and any orchestrator may claim it again.
/// </summary>
public sealed class TrialRepository(Database db)
{
    /// <summary>Creates the trial if it does not exist (standalone Runner use). Returns true if created.</summary>
    public bool Ensure(string trialId, string configJson)
    {
        using var c = db.Connect();
        return c.Execute("INSERT INTO trials(trial_id, config_json, created_at) VALUES (@trialId, @configJson, @now) ON CONFLICT(trial_id) DO NOTHING",
            new { trialId, configJson, now = Database.Now() }) == 1;
    }

    public TrialRow? Get(string trialId)
    {
        using var c = db.Connect();
        return c.QuerySingleOrDefault<TrialRow>("SELECT * FROM trials WHERE trial_id = @trialId", new { trialId });
    }

    /// <summary>The trials of a sweep in grid order.</summary>
    public IReadOnlyList<TrialRow> ListForSweep(string sweep)
    {
        using var c = db.Connect();
        return c.Query<TrialRow>("""
            SELECT t.* FROM trials t JOIN sweep_trials st ON st.trial_id = t.trial_id
            WHERE st.sweep = @sweep ORDER BY st.ordinal
            """, new { sweep }).AsList();
    }

    /// <summary>
    /// Atomically claims the next claimable trial of the sweep (pending, or running with an expired
    /// lease) in grid order: one UPDATE, so two claimers never get the same trial. Increments the
    /// attempt and opens an attempts row. Returns null when nothing is claimable.
    /// </summary>
    public TrialRow? ClaimNext(string sweep, string owner, TimeSpan lease) => Claim(owner, lease, sweep, trialId: null);

    /// <summary>Claims one specific trial if it is claimable (standalone Runner use).</summary>
    public TrialRow? ClaimTrial(string trialId, string owner, TimeSpan lease) => Claim(owner, lease, sweep: null, trialId);

    private TrialRow? Claim(string owner, TimeSpan lease, string? sweep, string? trialId)
    {
        using var c = db.Connect();
        using var tx = c.BeginTransaction(deferred: false);
        var now = Database.UnixNow();
        var candidate = sweep is not null
            ? """
              SELECT t.trial_id FROM trials t JOIN sweep_trials st ON st.trial_id = t.trial_id
              WHERE st.sweep = @sweep AND (t.state = 'pending' OR (t.state = 'running' AND t.lease_until < @now))
              ORDER BY st.ordinal LIMIT 1
              """
            : """
              SELECT trial_id FROM trials
              WHERE trial_id = @trialId AND (state = 'pending' OR (state = 'running' AND lease_until < @now))
              """;
        var row = c.QuerySingleOrDefault<TrialRow>($"""
            UPDATE trials SET state = 'running', owner = @owner, lease_until = @leaseUntil, attempt = attempt + 1,
                              started_at = COALESCE(started_at, @stamp), exit_code = NULL, failure = NULL
            WHERE trial_id = ({candidate})
            RETURNING *
            """, new { sweep, trialId, owner, now, leaseUntil = now + lease.TotalSeconds, stamp = Database.Now() }, tx);
        if (row is not null)
        {
            // A previous attempt that never closed its row was abandoned (its process died with its owner).
            c.Execute("UPDATE attempts SET ended_at = @stamp, outcome = 'abandoned', reason = 'lease expired' WHERE trial_id = @TrialId AND ended_at IS NULL",
                new { row.TrialId, stamp = Database.Now() }, tx);
            c.Execute("INSERT OR REPLACE INTO attempts(trial_id, attempt, owner, started_at) VALUES (@TrialId, @Attempt, @owner, @stamp)",
                new { row.TrialId, row.Attempt, owner, stamp = Database.Now() }, tx);
        }
        tx.Commit();
        return row;
    }

    /// <summary>Extends the lease. Returns false if <paramref name="owner"/> no longer owns the running trial (lease lost).</summary>
    public bool Heartbeat(string trialId, string owner, TimeSpan lease)
    {
        using var c = db.Connect();
        return c.Execute("UPDATE trials SET lease_until = @until WHERE trial_id = @trialId AND owner = @owner AND state = 'running'",
            new { trialId, owner, until = Database.UnixNow() + lease.TotalSeconds }) == 1;
    }

    /// <summary>Records progress (last completed epoch, last step) and, once known, the device and model size.</summary>
    public void Progress(string trialId, int epoch, long step, string? device = null, long? parameters = null, int? vocabSize = null)
    {
        using var c = db.Connect();
        c.Execute("""
            UPDATE trials SET epoch = @epoch, step = @step, device = COALESCE(@device, device),
                              params = COALESCE(@parameters, params), vocab_size = COALESCE(@vocabSize, vocab_size)
            WHERE trial_id = @trialId
            """, new { trialId, epoch, step, device, parameters, vocabSize });
    }

    /// <summary>running → completed. Returns false if the caller did not own it.</summary>
    public bool Complete(string trialId, string owner) =>
        Finish(trialId, owner, TrialStates.Completed, exitCode: 0, reason: null, outcome: "completed");

    /// <summary>running → failed, keeping the reason (exit code, last lines of stderr, divergence step).</summary>
    public bool Fail(string trialId, string owner, int? exitCode, string reason) =>
        Finish(trialId, owner, TrialStates.Failed, exitCode, reason, outcome: "failed");

    /// <summary>running → pending (graceful stop); the next claim resumes from the newest checkpoint.</summary>
    public bool Release(string trialId, string owner, int? exitCode, string reason) =>
        Finish(trialId, owner, TrialStates.Pending, exitCode, reason, outcome: "interrupted");

    /// <summary>Closes the current attempt as one to retry and opens the next one, keeping ownership.</summary>
    public bool Retry(string trialId, string owner, int? exitCode, string reason)
    {
        using var c = db.Connect();
        using var tx = c.BeginTransaction(deferred: false);
        var attempt = c.QuerySingleOrDefault<int?>("SELECT attempt FROM trials WHERE trial_id = @trialId AND owner = @owner AND state = 'running'",
            new { trialId, owner }, tx);
        if (attempt is null) return false;
        var stamp = Database.Now();
        c.Execute("UPDATE attempts SET ended_at = @stamp, exit_code = @exitCode, outcome = 'retry', reason = @reason WHERE trial_id = @trialId AND attempt = @attempt",
            new { trialId, attempt, stamp, exitCode, reason }, tx);
        c.Execute("UPDATE trials SET attempt = attempt + 1, exit_code = @exitCode, failure = @reason WHERE trial_id = @trialId", new { trialId, exitCode, reason }, tx);
        c.Execute("INSERT OR REPLACE INTO attempts(trial_id, attempt, owner, started_at) VALUES (@trialId, @next, @owner, @stamp)",
            new { trialId, next = attempt + 1, owner, stamp }, tx);
        tx.Commit();
        return true;
    }

    private bool Finish(string trialId, string owner, string state, int? exitCode, string? reason, string outcome)
    {
        using var c = db.Connect();
        using var tx = c.BeginTransaction(deferred: false);
        var stamp = Database.Now();
        var changed = c.Execute("""
            UPDATE trials SET state = @state, owner = NULL, lease_until = NULL, exit_code = @exitCode, failure = @reason,
                              finished_at = CASE WHEN @state IN ('completed', 'failed') THEN @stamp ELSE finished_at END
            WHERE trial_id = @trialId AND owner = @owner AND state = 'running'
            """, new { trialId, owner, state, exitCode, reason, stamp }, tx);
        if (changed == 1)
        {
            c.Execute("""
                UPDATE attempts SET ended_at = @stamp, exit_code = @exitCode, outcome = @outcome, reason = @reason
                WHERE trial_id = @trialId AND attempt = (SELECT attempt FROM trials WHERE trial_id = @trialId)
                """, new { trialId, stamp, exitCode, outcome, reason }, tx);
        }
        tx.Commit();
        return changed == 1;
    }

    /// <summary>
    /// failed → pending for every failed trial of the sweep, so the next run tries them again
    /// (resuming from their newest checkpoint). Their attempts keep the old reasons. Returns how many.
    /// </summary>
    public int RequeueFailed(string sweep)
    {
        using var c = db.Connect();
        return c.Execute("""
            UPDATE trials SET state = 'pending', exit_code = NULL, failure = NULL, finished_at = NULL
            WHERE state = 'failed' AND trial_id IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)
            """, new { sweep });
    }

    public IReadOnlyList<AttemptRow> Attempts(string trialId)
    {
        using var c = db.Connect();
        return c.Query<AttemptRow>("SELECT * FROM attempts WHERE trial_id = @trialId ORDER BY attempt", new { trialId }).AsList();
    }
}
