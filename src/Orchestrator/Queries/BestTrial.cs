using Core.Store;

namespace Orchestrator.Queries;

/// <summary>
/// The sweep's winning configuration: the completed trial with the lowest validation loss (its best
/// epoch's), with its grid values in the spec's order; null while no trial has completed.
/// </summary>
internal sealed record BestTrial(string TrialId, IReadOnlyDictionary<string, string> Grid, int Repeat, double ValLoss)
{
    public static BestTrial? Of(Database db, string sweep) =>
        new SweepReader(db).Trials(sweep)
            .Where(t => t.State == TrialStates.Completed && t.BestValLoss is { } loss && double.IsFinite(loss))
            .OrderBy(t => t.BestValLoss).ThenBy(t => t.Ordinal)
            .Select(t => new BestTrial(t.TrialId, t.GridText, t.Repeat, t.BestValLoss!.Value))
            .FirstOrDefault();
}
