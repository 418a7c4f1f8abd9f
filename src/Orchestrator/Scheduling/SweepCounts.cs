using Core.Store;

namespace Orchestrator.Scheduling;

/// <summary>A sweep's trials counted by state, as the store holds them.</summary>
internal sealed record SweepCounts(int Total, int Completed, int Failed, int Pending, int Running, int Stopped = 0)
{
    /// <summary>Counts the trials' states (<see cref="TrialStates"/>).</summary>
    public static SweepCounts From(IReadOnlyCollection<string> states)
    {
        int Count(string state) => states.Count(s => s == state);
        return new SweepCounts(states.Count, Count(TrialStates.Completed), Count(TrialStates.Failed), Count(TrialStates.Pending), Count(TrialStates.Running),
            Count(TrialStates.Stopped));
    }

    /// <summary>Trials still to run: pending or running.</summary>
    public int Unfinished => Pending + Running;

    /// <summary>Every trial is completed, failed or stopped early.</summary>
    public bool Finished => Completed + Failed + Stopped == Total;

    /// <summary>
    /// The counts as the commands print them: "sweep NAME: 3 completed, 0 failed, 1 pending, 0 running (of 4)";
    /// trials an early-stopping rule stopped, when there are any, after the completed ones.
    /// </summary>
    public string Line(string sweep) =>
        $"sweep {sweep}: {Completed} completed, {(Stopped > 0 ? $"{Stopped} stopped early, " : "")}{Failed} failed, {Pending} pending, {Running} running (of {Total})";
}
