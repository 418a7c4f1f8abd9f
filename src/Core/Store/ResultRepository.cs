using Dapper;

namespace Core.Store;

/// <summary>
/// What trials record: metrics, checkpoints, probes, samples and the architecture summary.
/// Every write is keyed, so writing the same thing twice (a resumed trial re-logging a step) overwrites.
/// </summary>
public sealed class ResultRepository(Database db)
{
    /// <summary>Writes one metric row (keyed by trial, name and step: writing it again overwrites).</summary>
    internal const string UpsertMetric = """
        INSERT INTO metrics(trial_id, name, step, epoch, value, wall_time) VALUES (@TrialId, @Name, @Step, @Epoch, @Value, @WallTime)
        ON CONFLICT(trial_id, name, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value, wall_time = excluded.wall_time
        """;

    /// <summary>Writes one checkpoint row (keyed by trial and name).</summary>
    internal const string UpsertCheckpoint = """
        INSERT INTO checkpoints(trial_id, name, epoch, step, path, sha256, bytes, created_at)
        VALUES (@TrialId, @Name, @Epoch, @Step, @Path, @Sha256, @Bytes, @CreatedAt)
        ON CONFLICT(trial_id, name) DO UPDATE SET epoch = excluded.epoch, step = excluded.step, path = excluded.path,
            sha256 = excluded.sha256, bytes = excluded.bytes, created_at = excluded.created_at
        """;

    /// <summary>Writes one probe row (keyed by trial, checkpoint and input).</summary>
    internal const string UpsertProbe = """
        INSERT INTO probes(trial_id, checkpoint, input, step, epoch, predicted, top_json)
        VALUES (@TrialId, @Checkpoint, @Input, @Step, @Epoch, @Predicted, @TopJson)
        ON CONFLICT(trial_id, checkpoint, input) DO UPDATE SET step = excluded.step, epoch = excluded.epoch,
            predicted = excluded.predicted, top_json = excluded.top_json
        """;
    /// <summary>
    /// Writes a batch of metrics in one transaction (the Runner's buffered flush), optionally with
    /// progress. Fenced when <paramref name="owner"/> is given: the transaction first checks (and on
    /// PostgreSQL locks) that the owner still holds the running trial, and writes nothing when it does
    /// not; false then. <paramref name="rideOut"/>: false tries once, leaving a transient error to the
    /// caller (a Runner that keeps training while the database is away).
    /// </summary>
    public bool WriteMetrics(IReadOnlyCollection<MetricRow> metrics, (string TrialId, int Epoch, long Step)? progress = null,
        string? owner = null, bool rideOut = true)
    {
        if (metrics.Count == 0 && progress is null && owner is null) return true;
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            if (owner is not null)
            {
                var trialId = progress?.TrialId ?? metrics.First().TrialId;
                if (!Held(c, tx, trialId, owner)) return false;
            }
            c.Execute(UpsertMetric, metrics, tx);
            if (progress is { } p)
                c.Execute("UPDATE trials SET epoch = @Epoch, step = @Step WHERE trial_id = @TrialId", new { p.TrialId, p.Epoch, p.Step }, tx);
            tx.Commit();
            return true;
        }, rideOut);
    }

    /// <summary>Whether <paramref name="owner"/> holds the running trial, locking its row for the rest of <paramref name="tx"/> (PostgreSQL) so no claim slips in.</summary>
    private bool Held(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string trialId, string owner) =>
        c.QuerySingleOrDefault<int?>($"SELECT 1 FROM trials WHERE trial_id = @trialId AND owner = @owner AND state = 'running'{db.Dialect.LockRow}",
            new { trialId, owner }, tx) is not null;

    /// <summary>
    /// Removes what a lost run recorded past the checkpoint a trial resumes from, so the resumed
    /// run's records are the only ones past that step: metrics, probes, and the rows of newer
    /// checkpoints (ones that failed verification, or that the lost run wrote after this one).
    /// </summary>
    public void ForgetAfter(string trialId, long step)
    {
        db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            c.Execute("DELETE FROM metrics WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
            c.Execute("DELETE FROM probes WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
            c.Execute("DELETE FROM checkpoints WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
            tx.Commit();
        });
    }

    public IReadOnlyList<MetricRow> Metrics(string trialId, string? name = null)
    {
        return db.Run(c =>
        {
            return c.Query<MetricRow>("""
                SELECT trial_id, name, step, epoch, value, wall_time FROM metrics
                WHERE trial_id = @trialId AND (@name IS NULL OR name = @name) ORDER BY name, step
                """, new { trialId, name }).AsList();
        });
    }

    /// <summary>Records a checkpoint's row; with <paramref name="owner"/>, only while it holds the running trial (fenced, as <see cref="WriteMetrics"/>). False when it did not.</summary>
    public bool RecordCheckpoint(CheckpointRow row, string? owner = null)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            if (owner is not null && !Held(c, tx, row.TrialId, owner)) return false;
            c.Execute(UpsertCheckpoint, row, tx);
            tx.Commit();
            return true;
        });
    }

    /// <summary>Checkpoints of a trial, newest (highest step) first.</summary>
    public IReadOnlyList<CheckpointRow> Checkpoints(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<CheckpointRow>("SELECT * FROM checkpoints WHERE trial_id = @trialId ORDER BY step DESC, name DESC", new { trialId }).AsList();
        });
    }

    public void RecordProbe(ProbeRow row)
    {
        db.Run(c =>
        {
            c.Execute(UpsertProbe, row);
        });
    }

    public IReadOnlyList<ProbeRow> Probes(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<ProbeRow>("SELECT * FROM probes WHERE trial_id = @trialId ORDER BY step, checkpoint", new { trialId }).AsList();
        });
    }

    public void RecordSample(SampleRow row)
    {
        db.Run(c =>
        {
            c.Execute("""
                INSERT INTO samples(trial_id, checkpoint, prime, length, temperature, top_k, seed, text, created_at)
                VALUES (@TrialId, @Checkpoint, @Prime, @Length, @Temperature, @TopK, @Seed, @Text, @CreatedAt)
                ON CONFLICT(trial_id, checkpoint, prime, length, temperature, top_k, seed) DO UPDATE SET text = excluded.text, created_at = excluded.created_at
                """, row);
        });
    }

    public IReadOnlyList<SampleRow> Samples(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<SampleRow>("SELECT * FROM samples WHERE trial_id = @trialId ORDER BY created_at", new { trialId }).AsList();
        });
    }

    /// <summary>Replaces the trial's architecture summary.</summary>
    public void RecordArchitecture(string trialId, IReadOnlyList<ArchitectureRow> layers)
    {
        db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            c.Execute("DELETE FROM architecture WHERE trial_id = @trialId", new { trialId }, tx);
            c.Execute("INSERT INTO architecture(trial_id, ordinal, layer, type, output_shape, params) VALUES (@TrialId, @Ordinal, @Layer, @Type, @OutputShape, @Params)", layers, tx);
            tx.Commit();
        });
    }

    public IReadOnlyList<ArchitectureRow> Architecture(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<ArchitectureRow>("SELECT * FROM architecture WHERE trial_id = @trialId ORDER BY ordinal", new { trialId }).AsList();
        });
    }
}
