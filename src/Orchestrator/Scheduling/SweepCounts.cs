using Core.Store;

namespace Orchestrator.Scheduling;

/// <summary>A sweep's trials counted by state, as the store holds them.</summary>
internal sealed record SweepCounts(int Total, int Completed, int Failed, int Pending, int Running)
{
    /// <summary>Counts the trials' states (<see cref="TrialStates"/>).</summary>
    public static SweepCounts From(IReadOnlyCollection<string> states)
    {
        int Count(string state) => states.Count(s => s == state);
        return new SweepCounts(states.Count, Count(TrialStates.Completed), Count(TrialStates.Failed), Count(TrialStates.Pending), Count(TrialStates.Running));
    }

    /// <summary>Trials still to run: pending or running.</summary>
    public int Unfinished => Pending + Running;

    /// <summary>Every trial is completed or failed.</summary>
    public bool Finished => Completed + Failed == Total;

    /// <summary>The counts as the commands print them: "sweep NAME: 3 completed, 0 failed, 1 pending, 0 running (of 4)".</summary>
    public string Line(string sweep) => $"sweep {sweep}: {Completed} completed, {Failed} failed, {Pending} pending, {Running} running (of {Total})";
}
