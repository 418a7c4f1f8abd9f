using System.Text.Json;
using Core.Store;
using Dapper;

namespace Orchestrator.Queries;

/// <summary>
/// One trial as <c>orchestrator status</c> shows it. <see cref="OwnerGone"/>: a running trial whose
/// owner and Runner are processes of this host that are gone (kill -9), so the next run takes it at
/// once whatever its lease says (<see cref="Core.Contract.OwnerToken.IsOrphanedHere"/>).
/// </summary>
public sealed record TrialStatus(
    string TrialId,
    int Ordinal,
    IReadOnlyDictionary<string, string> Grid,
    int Repeat,
    string State,
    int Attempt,
    int Epoch,
    int Epochs,
    long Step,
    double? BestValLoss,
    int? BestEpoch,
    double? CharsPerSec,
    string? Owner,
    double? LeaseSecondsLeft,
    string? Failure,
    string? SlurmJob = null,
    string? SlurmState = null,
    bool OwnerGone = false);

/// <summary>
/// A sweep's trials and their counts by state, and the Slurm job arrays submitted for it (none for a
/// local sweep). A trial's <see cref="TrialStatus.SlurmJob"/> is the array task of its current (or
/// last) attempt; the job states are squeue's, added by the caller (the store does not hold them).
/// </summary>
public sealed record SweepStatus(string Sweep, string? SpecPath, string UpdatedAt, IReadOnlyList<TrialStatus> Trials, IReadOnlyList<SlurmJobRow> SlurmJobs)
{
    public int Count(string state) => Trials.Count(t => t.State == state);
}

/// <summary>Reads sweep status from the store (read-only).</summary>
public static class SweepStatusReader
{
    /// <summary>
    /// The named sweep, or every sweep (most recently updated first) when <paramref name="sweep"/> is
    /// null. Throws <see cref="SweepNotFoundException"/> for a name the store does not know.
    /// </summary>
    public static IReadOnlyList<SweepStatus> Read(Database db, string? sweep)
    {
        var repository = new SweepRepository(db);
        var sweeps = sweep is null ? repository.List() : [repository.Find(sweep)];
        var jobs = new SlurmJobRepository(db);
        return sweeps.Select(s => new SweepStatus(s.Name, s.SpecPath, s.UpdatedAt, Trials(db, s.Name), jobs.Jobs(s.Name))).ToList();
    }

    private sealed class Row
    {
        public string TrialId { get; init; } = "";
        public int Ordinal { get; init; }
        public string GridJson { get; init; } = "{}";
        public int Repeat { get; init; }
        public string State { get; init; } = "";
        public int Attempt { get; init; }
        public int EpochsDone { get; init; }
        public int Epochs { get; init; }
        public long StepsDone { get; init; }
        public double? BestValLoss { get; init; }
        public int? BestEpoch { get; init; }
        public double? CharsPerSec { get; init; }
        public string? Owner { get; init; }
        public double? LeaseUntil { get; init; }
        public string? Failure { get; init; }
        public string? SlurmJob { get; init; }
        public string? Runner { get; init; }
    }

    private static IReadOnlyList<TrialStatus> Trials(Database db, string sweep)
    {
        using var c = db.Connect();
        var rows = c.Query<Row>("""
            SELECT s.trial_id, s.ordinal, st.grid_json, s.repeat, s.state, s.attempt, s.epochs_done, s.epochs, s.steps_done,
                   s.best_val_loss, s.best_epoch, s.chars_per_sec, t.owner, t.lease_until, s.failure, a.slurm_job, t.runner
            FROM trial_summary s
            JOIN sweep_trials st ON st.sweep = s.sweep AND st.trial_id = s.trial_id
            JOIN trials t ON t.trial_id = s.trial_id
            LEFT JOIN attempts a ON a.trial_id = t.trial_id AND a.attempt = t.attempt
            WHERE s.sweep = @sweep ORDER BY s.ordinal
            """, new { sweep });
        var now = Timestamps.UnixNow();
        return rows.Select(r => new TrialStatus(r.TrialId, r.Ordinal,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GridJson) ?? [], r.Repeat, r.State, r.Attempt,
            r.EpochsDone, r.Epochs, r.StepsDone, r.BestValLoss, r.BestEpoch, r.CharsPerSec,
            r.State == TrialStates.Running ? r.Owner : null,
            r.State == TrialStates.Running && r.LeaseUntil is { } until ? Math.Round(until - now, 1) : null,
            r.Failure, r.SlurmJob, OwnerGone: r.State == TrialStates.Running && Core.Contract.OwnerToken.IsOrphanedHere(r.Owner, r.Runner))).ToList();
    }
}
