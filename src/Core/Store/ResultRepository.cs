using Dapper;

namespace Core.Store;

/// <summary>
/// What trials record: metrics, checkpoints, probes, samples and the architecture summary.
/// Every write is keyed, so writing the same thing twice (a resumed trial re-logging a step) overwrites.
/// </summary>
public sealed class ResultRepository(Database db)
{
    /// <summary>Writes a batch of metrics in one transaction (the Runner's buffered flush), optionally with progress.</summary>
    public void WriteMetrics(IReadOnlyCollection<MetricRow> metrics, (string TrialId, int Epoch, long Step)? progress = null)
    {
        if (metrics.Count == 0 && progress is null) return;
        using var c = db.Connect();
        using var tx = db.BeginWrite(c);
        c.Execute("""
            INSERT INTO metrics(trial_id, name, step, epoch, value, wall_time) VALUES (@TrialId, @Name, @Step, @Epoch, @Value, @WallTime)
            ON CONFLICT(trial_id, name, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value, wall_time = excluded.wall_time
            """, metrics, tx);
        if (progress is { } p)
            c.Execute("UPDATE trials SET epoch = @Epoch, step = @Step WHERE trial_id = @TrialId", new { p.TrialId, p.Epoch, p.Step }, tx);
        tx.Commit();
    }

    /// <summary>
    /// Removes what a lost run recorded past the checkpoint a trial resumes from, so the resumed
    /// run's records are the only ones past that step: metrics, probes, and the rows of newer
    /// checkpoints (ones that failed verification, or that the lost run wrote after this one).
    /// </summary>
    public void ForgetAfter(string trialId, long step)
    {
        using var c = db.Connect();
        using var tx = db.BeginWrite(c);
        c.Execute("DELETE FROM metrics WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
        c.Execute("DELETE FROM probes WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
        c.Execute("DELETE FROM checkpoints WHERE trial_id = @trialId AND step > @step", new { trialId, step }, tx);
        tx.Commit();
    }

    public IReadOnlyList<MetricRow> Metrics(string trialId, string? name = null)
    {
        using var c = db.Connect();
        return c.Query<MetricRow>("""
            SELECT trial_id, name, step, epoch, value, wall_time FROM metrics
            WHERE trial_id = @trialId AND (@name IS NULL OR name = @name) ORDER BY name, step
            """, new { trialId, name }).AsList();
    }

    public void RecordCheckpoint(CheckpointRow row)
    {
        using var c = db.Connect();
        c.Execute("""
            INSERT INTO checkpoints(trial_id, name, epoch, step, path, sha256, bytes, created_at)
            VALUES (@TrialId, @Name, @Epoch, @Step, @Path, @Sha256, @Bytes, @CreatedAt)
            ON CONFLICT(trial_id, name) DO UPDATE SET epoch = excluded.epoch, step = excluded.step, path = excluded.path,
                sha256 = excluded.sha256, bytes = excluded.bytes, created_at = excluded.created_at
            """, row);
    }

    /// <summary>Checkpoints of a trial, newest (highest step) first.</summary>
    public IReadOnlyList<CheckpointRow> Checkpoints(string trialId)
    {
        using var c = db.Connect();
        return c.Query<CheckpointRow>("SELECT * FROM checkpoints WHERE trial_id = @trialId ORDER BY step DESC, name DESC", new { trialId }).AsList();
    }

    public void RecordProbe(ProbeRow row)
    {
        using var c = db.Connect();
        c.Execute("""
            INSERT INTO probes(trial_id, checkpoint, input, step, epoch, predicted, top_json)
            VALUES (@TrialId, @Checkpoint, @Input, @Step, @Epoch, @Predicted, @TopJson)
            ON CONFLICT(trial_id, checkpoint, input) DO UPDATE SET step = excluded.step, epoch = excluded.epoch,
                predicted = excluded.predicted, top_json = excluded.top_json
            """, row);
    }

    public IReadOnlyList<ProbeRow> Probes(string trialId)
    {
        using var c = db.Connect();
        return c.Query<ProbeRow>("SELECT * FROM probes WHERE trial_id = @trialId ORDER BY step, checkpoint", new { trialId }).AsList();
    }

    public void RecordSample(SampleRow row)
    {
        using var c = db.Connect();
        c.Execute("""
            INSERT INTO samples(trial_id, checkpoint, prime, length, temperature, top_k, seed, text, created_at)
            VALUES (@TrialId, @Checkpoint, @Prime, @Length, @Temperature, @TopK, @Seed, @Text, @CreatedAt)
            ON CONFLICT(trial_id, checkpoint, prime, length, temperature, top_k, seed) DO UPDATE SET text = excluded.text, created_at = excluded.created_at
            """, row);
    }

    public IReadOnlyList<SampleRow> Samples(string trialId)
    {
        using var c = db.Connect();
        return c.Query<SampleRow>("SELECT * FROM samples WHERE trial_id = @trialId ORDER BY created_at", new { trialId }).AsList();
    }

    /// <summary>Replaces the trial's architecture summary.</summary>
    public void RecordArchitecture(string trialId, IReadOnlyList<ArchitectureRow> layers)
    {
        using var c = db.Connect();
        using var tx = db.BeginWrite(c);
        c.Execute("DELETE FROM architecture WHERE trial_id = @trialId", new { trialId }, tx);
        c.Execute("INSERT INTO architecture(trial_id, ordinal, layer, type, output_shape, params) VALUES (@TrialId, @Ordinal, @Layer, @Type, @OutputShape, @Params)", layers, tx);
        tx.Commit();
    }

    public IReadOnlyList<ArchitectureRow> Architecture(string trialId)
    {
        using var c = db.Connect();
        return c.Query<ArchitectureRow>("SELECT * FROM architecture WHERE trial_id = @trialId ORDER BY ordinal", new { trialId }).AsList();
    }
}
