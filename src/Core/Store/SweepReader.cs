using System.Text.Json.Serialization;
using Core.Contract;
using Dapper;

namespace Core.Store;

/// <summary>
/// One trial of a sweep as the views of a sweep show it (<c>orchestrator status</c>, a followed
/// Slurm run, a web view): its place in the grid, state and progress, best validation loss and
/// speed, what it runs on, the Slurm array task of its current (or last) attempt, and how it failed.
/// </summary>
/// <param name="Grid">The grid values that made it, typed as <c>query</c> returns them (numbers as numbers).</param>
/// <param name="GridText">The same values as the spec writes them (<c>2e-3</c>), for labels.</param>
/// <param name="Epoch">Completed epochs.</param>
/// <param name="Epochs">The epochs the trial trains in all (<c>train.epochs</c>).</param>
/// <param name="Step">The last optimizer step recorded.</param>
/// <param name="Owner">The owner token holding it; null unless it is running.</param>
/// <param name="LeaseSecondsLeft">Seconds its lease runs on (negative: expired); null unless it is running.</param>
/// <param name="SlurmState">squeue's state of <paramref name="SlurmJob"/>: added by the caller, as the store does not hold it.</param>
/// <param name="OwnerGone">
/// A running trial whose owner and Runner are processes of this host that are gone (kill -9), so the
/// next run takes it at once whatever its lease says (<see cref="OwnerToken.IsOrphanedHere"/>).
/// </param>
/// <param name="Stop">Why an early-stopping rule stopped it (state <c>stopped</c>); null otherwise.</param>
public sealed record TrialStatus(
    string TrialId,
    int Ordinal,
    IReadOnlyDictionary<string, object> Grid,
    [property: JsonIgnore] IReadOnlyDictionary<string, string> GridText,
    int Repeat,
    string State,
    int Attempt,
    int Epoch,
    int Epochs,
    long Step,
    double? BestValLoss,
    int? BestEpoch,
    double? CharsPerSec,
    string? Device,
    string? GpuName,
    string? Owner,
    double? LeaseSecondsLeft,
    string? Failure,
    string? FailureKind,
    string? SlurmJob,
    string? SlurmState,
    bool OwnerGone,
    StopDecision? Stop = null);

/// <summary>
/// A sweep as its views show it: its trials in grid order, and the Slurm job arrays submitted for it
/// (none for a local sweep).
/// </summary>
public sealed record SweepStatus(string Sweep, string? SpecPath, string UpdatedAt, IReadOnlyList<TrialStatus> Trials, IReadOnlyList<SlurmJobRow> SlurmJobs)
{
    public int Count(string state) => Trials.Count(t => t.State == state);
}

/// <summary>
/// A trial that left a sweep (its spec no longer plans it) as <c>status --all</c> shows it: its place
/// in the grid then, its state and progress, best validation loss, when it left, and the trial that
/// continues it (<see cref="ContinuedBy"/>) when a larger train.epochs is why.
/// </summary>
public sealed record DepartedTrial(
    string TrialId,
    int Ordinal,
    IReadOnlyDictionary<string, object> Grid,
    [property: JsonIgnore] IReadOnlyDictionary<string, string> GridText,
    int Repeat,
    string State,
    int Epoch,
    int Epochs,
    double? BestValLoss,
    string LeftAt,
    string? ContinuedBy);

/// <summary>
/// Reads sweeps as their views show them: the one query behind <c>orchestrator status</c>, following a
/// Slurm run and cancelling one. Only reads; works on a read-only store.
/// </summary>
public sealed class SweepReader(Database db)
{
    /// <summary>
    /// The named sweep, or every sweep (most recently updated first) when <paramref name="sweep"/> is
    /// null. Throws <see cref="SweepNotFoundException"/> for a name the store does not know.
    /// </summary>
    public IReadOnlyList<SweepStatus> Read(string? sweep)
    {
        var repository = new SweepRepository(db);
        var sweeps = sweep is null ? repository.List() : [repository.Find(sweep)];
        var jobs = new SlurmJobRepository(db);
        return sweeps.Select(s => new SweepStatus(s.Name, s.SpecPath, s.UpdatedAt, Trials(s.Name), jobs.Jobs(s.Name))).ToList();
    }

    /// <summary>The sweep's trials in grid order.</summary>
    public IReadOnlyList<TrialStatus> Trials(string sweep)
    {
        var rows = db.Run(c => c.Query<Row>("""
            SELECT s.trial_id, s.ordinal, st.grid_json, s.repeat, s.state, s.attempt, s.epochs_done, s.epochs, s.steps_done,
                   s.best_val_loss, s.best_epoch, s.chars_per_sec, s.device, s.gpu_name, t.owner, t.lease_until, t.runner,
                   s.failure, s.failure_kind, a.slurm_job,
                   t.stop_rule, t.stop_epoch, t.stop_metric, t.stop_value, t.stop_threshold, t.stop_peers
            FROM trial_summary s
            JOIN sweep_trials st ON st.sweep = s.sweep AND st.trial_id = s.trial_id
            JOIN trials t ON t.trial_id = s.trial_id
            LEFT JOIN attempts a ON a.trial_id = t.trial_id AND a.attempt = t.attempt
            WHERE s.sweep = @sweep ORDER BY s.ordinal
            """, new { sweep }).AsList());
        var now = Timestamps.UnixNow();
        return rows.Select(r =>
        {
            var running = r.State == TrialStates.Running;
            var grid = GridJson.Read(r.GridJson);
            return new TrialStatus(r.TrialId, r.Ordinal, GridJson.Typed(grid), grid, r.Repeat, r.State, r.Attempt,
                r.EpochsDone, r.Epochs, r.StepsDone, r.BestValLoss, r.BestEpoch, r.CharsPerSec, r.Device, r.GpuName,
                Owner: running ? r.Owner : null,
                LeaseSecondsLeft: running && r.LeaseUntil is { } until ? Math.Round(until - now, 1) : null,
                r.Failure, r.FailureKind, r.SlurmJob, SlurmState: null,
                OwnerGone: running && OwnerToken.IsOrphanedHere(r.Owner, r.Runner),
                Stop: StopDecision.Recorded(r.StopRule, r.StopEpoch, r.StopMetric, r.StopValue, r.StopThreshold, r.StopPeers));
        }).ToList();
    }

    /// <summary>The trials that left the sweep, in the grid order they had (their rows stay in the store; <c>status --all</c>).</summary>
    public IReadOnlyList<DepartedTrial> Departed(string sweep)
    {
        var rows = db.Run(c => c.Query<DepartedRow>("""
            SELECT d.trial_id, d.ordinal, d.grid_json, d.repeat, d.left_at, d.continued_by, t.state, t.epoch, t.config_json,
                   (SELECT MIN(value) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'val_loss') AS best_val_loss
            FROM sweep_departures d JOIN trials t ON t.trial_id = d.trial_id
            WHERE d.sweep = @sweep ORDER BY d.ordinal, d.trial_id
            """, new { sweep }).AsList());
        return rows.Select(r =>
        {
            var grid = GridJson.Read(r.GridJson);
            return new DepartedTrial(r.TrialId, r.Ordinal, GridJson.Typed(grid), grid, r.Repeat, r.State, r.Epoch,
                Config.TrialConfig.FromJson(r.ConfigJson).Train.Epochs, r.BestValLoss, r.LeftAt, r.ContinuedBy);
        }).ToList();
    }

    private sealed class DepartedRow
    {
        public string TrialId { get; init; } = "";
        public int Ordinal { get; init; }
        public string GridJson { get; init; } = "{}";
        public int Repeat { get; init; }
        public string LeftAt { get; init; } = "";
        public string? ContinuedBy { get; init; }
        public string State { get; init; } = "";
        public int Epoch { get; init; }
        public string ConfigJson { get; init; } = "{}";
        public double? BestValLoss { get; init; }
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
        public string? Device { get; init; }
        public string? GpuName { get; init; }
        public string? Owner { get; init; }
        public double? LeaseUntil { get; init; }
        public string? Runner { get; init; }
        public string? Failure { get; init; }
        public string? FailureKind { get; init; }
        public string? SlurmJob { get; init; }
        public string? StopRule { get; init; }
        public int? StopEpoch { get; init; }
        public string? StopMetric { get; init; }
        public double? StopValue { get; init; }
        public double? StopThreshold { get; init; }
        public int? StopPeers { get; init; }
    }
}
