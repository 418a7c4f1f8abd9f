namespace Runner.Training;

/// <summary>How a training run ended (divergence throws <see cref="DivergedException"/> instead).</summary>
public enum TrainOutcome
{
    /// <summary>All epochs trained; the final checkpoint is written.</summary>
    Completed,
    /// <summary>A stop was requested (SIGINT/SIGTERM); a checkpoint of the last step is written.</summary>
    Interrupted,
    /// <summary>Another owner took the trial; the run stopped without writing anything more.</summary>
    LeaseLost,
}

/// <summary>The loss became NaN or infinite. Final: retrying the same config diverges again.</summary>
public sealed class DivergedException(long step, double loss) : Exception($"diverged at step {step}")
{
    public long Step { get; } = step;
    public double Loss { get; } = loss;
}

/// <summary>Where training stands: completed epochs, global step, batches done in the epoch in progress and its running sums.</summary>
public sealed record Position(int Epoch, long Step, int BatchInEpoch, EpochStats Partial)
{
    public static Position Start { get; } = new(0, 0, 0, new EpochStats());
}
