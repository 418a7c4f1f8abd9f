using Core.Spec;
using Core.Store;

namespace Orchestrator.Planning;

/// <summary>
/// Turns an expanded spec into the store's plan: which trials a sweep contains, with their grid
/// values. Knows nothing of processes. Registering is idempotent: a trial whose resolved config
/// did not change keeps its id, its state and everything it recorded.
/// </summary>
internal static class SweepPlan
{
    /// <summary>What registering a spec did: how many trials it has, how many were new, and the states of the rest.</summary>
    /// <param name="Edit">What the spec's edit did to the sweep's recorded trials (continued, shortened, left); its lines follow <see cref="Line"/>.</param>
    public sealed record Registration(string Sweep, int Total, int Added, int Requeued, int Completed, int Failed, int Running, int Pending, EditPlan Edit,
        int Stopped = 0, int Resumed = 0)
    {
        /// <summary>Trials still to run: pending, or running (held by a Runner that is still stopping, or abandoned).</summary>
        public int ToRun => Pending + Running;

        /// <summary>"sweep NAME: 18 trials (18 new; 0 completed, 0 failed, 0 running, 18 pending) in DB"; with the failed ones requeued when <paramref name="retryFailed"/>.</summary>
        public string Line(string dbPath, bool retryFailed, bool noEarlyStopping = false)
        {
            var requeued = retryFailed ? $"{Requeued} failed requeued; " : "";
            var resumed = noEarlyStopping ? $"{Resumed} stopped early resumed to their full budget; " : "";
            var stopped = Stopped > 0 ? $"{Stopped} stopped early, " : "";
            return $"sweep {Sweep}: {Total} trials ({Added} new; {requeued}{resumed}{Completed} completed, {stopped}{Failed} failed, {Running} running, {Pending} pending) in {dbPath}";
        }

        /// <summary>What the spec's edit did, per kind (<see cref="EditPlan.Lines"/>); none when it only added trials.</summary>
        public IReadOnlyList<string> EditLines(SweepSpec spec) => Edit.ChangesRecordedTrials ? Edit.Lines(spec.Trials) : [];
    }

    /// <summary>
    /// One row of a plan for display (<c>run --dry-run</c>): the trial, its grid values, its state if the
    /// store knows it, and the recorded trial it would start from (<see cref="EditPlan"/>) if it is new.
    /// </summary>
    public sealed record PlanRow(PlannedTrial Trial, TrialRow? Stored, TrialExtension? Extends);

    /// <param name="requeueFailed">Put the sweep's failed trials back to pending (<c>run --retry-failed</c>); stopped ones stay stopped.</param>
    /// <param name="resumeStopped">Put the trials an early-stopping rule stopped back to pending, to train to their full budget (<c>run --no-early-stopping</c>).</param>
    public static Registration Register(Database db, SweepSpec spec, bool requeueFailed = false, bool resumeStopped = false)
    {
        var edit = EditPlan.Of(spec, db);
        var added = new SweepRepository(db).Register(spec, edit.Extensions);
        var trials = new TrialRepository(db);
        var requeued = requeueFailed ? trials.RequeueFailed(spec.Name) : 0;
        var resumed = resumeStopped ? trials.RequeueStopped(spec.Name) : 0;
        var states = trials.ListForSweep(spec.Name);
        int Count(string state) => states.Count(t => t.State == state);
        var continued = states.Count(t => t.ExtendsTrialId is not null && edit.Extensions.ContainsKey(t.TrialId));
        return new Registration(spec.Name, states.Count, Math.Max(0, added - continued), requeued, Count(TrialStates.Completed), Count(TrialStates.Failed),
            Count(TrialStates.Running), Count(TrialStates.Pending), edit, Count(TrialStates.Stopped), resumed);
    }

    /// <summary>The plan with what the store knows of each trial, and what the edit does; <paramref name="db"/> null means no store yet (all new).</summary>
    public static (IReadOnlyList<PlanRow> Rows, EditPlan Edit) Describe(SweepSpec spec, Database? db)
    {
        var trials = db is null ? null : new TrialRepository(db);
        var edit = EditPlan.Of(spec, db);
        return (spec.Trials.Select(t => new PlanRow(t, trials?.Get(t.Id), edit.Extensions.GetValueOrDefault(t.Id))).ToList(), edit);
    }
}
