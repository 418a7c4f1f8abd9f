using Dapper;

namespace Core.Store;

/// <summary>One recorded value of a metric: the optimizer step, the epoch for per-epoch metrics, the value.</summary>
public sealed record SeriesPoint(long Step, int? Epoch, double Value)
{
    // Dapper fills records through a parameterless path (see MetricRow).
    public SeriesPoint() : this(0, null, 0) { }
}

/// <summary>When a sweep's trials first started and last finished (null: none yet).</summary>
public sealed record SweepTimes(string? FirstStarted, string? LastFinished)
{
    public SweepTimes() : this(null, null) { }
}

/// <summary>
/// The reads a live view needs beyond <see cref="SweepReader"/>: a metric's values after a step (the
/// primary key's order, so the cost of an update grows with the new rows only), when a sweep ran,
/// and which sweeps hold a trial. Only reads; works on a read-only store.
/// </summary>
public sealed class SeriesReader(Database db)
{
    /// <summary>The values of <paramref name="name"/> for the trial with a step above <paramref name="afterStep"/>, in step order.</summary>
    public IReadOnlyList<SeriesPoint> After(string trialId, string name, long afterStep)
    {
        return db.Run(c =>
        {
            return c.Query<SeriesPoint>("""
                SELECT step, epoch, value FROM metrics WHERE trial_id = @trialId AND name = @name AND step > @afterStep ORDER BY step
                """, new { trialId, name, afterStep }).AsList();
        });
    }

    public SweepTimes Times(string sweep)
    {
        return db.Run(c =>
        {
            return c.QuerySingle<SweepTimes>("""
                SELECT MIN(t.started_at) AS first_started, MAX(t.finished_at) AS last_finished
                FROM sweep_trials st JOIN trials t ON t.trial_id = st.trial_id WHERE st.sweep = @sweep
                """, new { sweep });
        });
    }

    /// <summary>The sweeps whose grid holds the trial, by name.</summary>
    public IReadOnlyList<string> SweepsOf(string trialId)
    {
        return db.Run(c =>
        {
            return c.Query<string>("SELECT sweep FROM sweep_trials WHERE trial_id = @trialId ORDER BY sweep", new { trialId }).AsList();
        });
    }
}
