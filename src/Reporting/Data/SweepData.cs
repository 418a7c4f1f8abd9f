using Core.Store;

namespace Reporting.Data;

/// <summary>A sweep and its trials in grid order, read once from the store.</summary>
internal sealed record SweepData(SweepRow Sweep, string DatabaseName, IReadOnlyList<TrialData> Trials);
