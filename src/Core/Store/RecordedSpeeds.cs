using Dapper;

namespace Core.Store;

/// <summary>One recorded epoch of a completed trial: its config, device, the step it ended at and how long it took (training and validation).</summary>
public sealed class RecordedEpoch
{
    public string TrialId { get; init; } = "";
    public string ConfigJson { get; init; } = "";
    public string? Device { get; init; }
    public int Epoch { get; init; }
    public long Step { get; init; }
    public double Seconds { get; init; }
}

/// <summary>One completed trial trained from the start: its config, device, and the seconds from its first claim to its end.</summary>
public sealed record RecordedTrial(string TrialId, string ConfigJson, string? Device, double WallSeconds, double EpochSeconds);

/// <summary>What the store knows of how fast trials trained on this machine: the basis of an estimate (<c>run --dry-run</c>, <c>doctor SPEC</c>).</summary>
public sealed class RecordedSpeeds(Database db)
{
    /// <summary>Every epoch of every completed trial, in the store's order of trials and epochs.</summary>
    public IReadOnlyList<RecordedEpoch> Epochs()
    {
        return db.Run(c =>
        {
            return c.Query<RecordedEpoch>("""
                SELECT t.trial_id, t.config_json, t.device, m.epoch, m.step, m.value AS seconds
                FROM trials t JOIN metrics m ON m.trial_id = t.trial_id AND m.name = 'epoch_seconds'
                WHERE t.state = 'completed' AND m.epoch IS NOT NULL
                ORDER BY t.trial_id, m.step
                """).AsList();
        });
    }

    /// <summary>Completed trials trained from the start (not continuations), with their wall time and the part of it their epochs took.</summary>
    public IReadOnlyList<RecordedTrial> Trials()
    {
        var rows = db.Run(c => c.Query<(string TrialId, string ConfigJson, string? Device, string? StartedAt, string? FinishedAt, double? EpochSeconds)>("""
            SELECT t.trial_id, t.config_json, t.device, t.started_at, t.finished_at,
                   (SELECT SUM(value) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'epoch_seconds') AS epoch_seconds
            FROM trials t WHERE t.state = 'completed' AND t.extends_trial_id IS NULL AND t.attempt = 1
            ORDER BY t.trial_id
            """).AsList());
        return rows.Where(r => r is { StartedAt: not null, FinishedAt: not null, EpochSeconds: not null })
            .Select(r => new RecordedTrial(r.TrialId, r.ConfigJson, r.Device,
                (Parse(r.FinishedAt!) - Parse(r.StartedAt!)).TotalSeconds, r.EpochSeconds!.Value))
            .ToList();
    }

    private static DateTime Parse(string stamp) =>
        DateTime.ParseExact(stamp, Timestamps.Format, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
}
