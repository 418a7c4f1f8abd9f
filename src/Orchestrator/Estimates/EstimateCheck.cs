using Core.Spec;
using Orchestrator.Diagnostics;
using Orchestrator.Planning;

namespace Orchestrator.Estimates;

/// <summary><c>doctor SPEC</c>'s <c>estimate</c> check: how long the sweep would take on this machine (<see cref="SweepEstimate"/>), as <c>run --dry-run</c> says it.</summary>
internal static class EstimateCheck
{
    /// <param name="measure">Time unrecorded shapes on this device (doctor's <c>--steps</c> is not 0).</param>
    public static async Task<DoctorCheck> ExamineAsync(SweepSpec spec, Func<Core.Store.StoreLocation> store, string results, bool measure, CancellationToken ct)
    {
        Core.Store.Database? db;
        try { db = StoreIfAny.Open(store(), results); }
        catch (Exception e) when (e is not OperationCanceledException) { db = null; } // the database check says why
        var (rows, _) = SweepPlan.Describe(spec, db);
        var estimate = await SweepEstimate.OfPlanAsync(spec, rows, spec.Execution.Parallel, db, measure, ct).ConfigureAwait(false);
        var lines = estimate.Lines(spec.Execution.Device);
        var details = new Dictionary<string, object?>
        {
            ["seconds"] = estimate.Seconds, ["low"] = estimate.Low, ["high"] = estimate.High,
            ["wall_seconds"] = estimate.Wall(t => t.Seconds), ["wall_low"] = estimate.Wall(t => t.Low), ["wall_high"] = estimate.Wall(t => t.High),
            ["parallel"] = estimate.Parallel, ["characters"] = estimate.Chars, ["basis"] = estimate.Basis, ["not_estimated"] = estimate.Unknown,
            ["trials"] = estimate.Trials.Select(t => new Dictionary<string, object?>
                { ["trial_id"] = t.TrialId, ["characters"] = t.Chars, ["seconds"] = t.Seconds, ["low"] = t.Low, ["high"] = t.High, ["basis"] = t.Basis }).ToList(),
        };
        var finding = string.Join("; ", lines.Select(l => l.Trim()));
        return estimate.Unknown.Count > 0 ? DoctorCheck.Warn("estimate", finding, details) : DoctorCheck.Ok("estimate", finding, details);
    }
}
