namespace Runner.Progress;

/// <summary>
/// Where training stands: completed epochs, global step, batches done in the epoch in progress and
/// its running sums. A checkpoint holds one; a resumed run starts from it.
/// </summary>
internal sealed record Position(int Epoch, long Step, int BatchInEpoch, EpochStats Partial)
{
    public static Position Start { get; } = new(0, 0, 0, new EpochStats());
}
