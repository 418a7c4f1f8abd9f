using Core.Store;

namespace Runner.Training;

/// <summary>
/// The database stayed away past the outage window while the trial trained: the checkpoint of the
/// step reached was written to disk, but could not be recorded, and neither could its probe and the
/// metric rows before it. They travel up to the Runner's command, which leaves them, with its owner
/// and attempt, in an <see cref="OutageInterruption"/> for whoever reaches the database next.
/// </summary>
internal sealed class OutageInterruptedException(DatabaseOutageException outage, CheckpointRow checkpoint, ProbeRow probe, IReadOnlyList<MetricRow> metrics)
    : Exception(outage.Message, outage)
{
    public DatabaseOutageException Outage { get; } = outage;
    public CheckpointRow Checkpoint { get; } = checkpoint;
    public ProbeRow Probe { get; } = probe;
    public IReadOnlyList<MetricRow> Metrics { get; } = metrics;
}
