using Core.Store;

namespace Reporting.Data;

/// <summary>
/// A sweep and its trials in grid order, read once from the store; <see cref="LastChange"/> is the time of the
/// newest thing recorded about it (<see cref="SweepClock"/>).
/// </summary>
internal sealed record SweepData(SweepRow Sweep, string DatabaseName, IReadOnlyList<TrialData> Trials, DateTime LastChange);
