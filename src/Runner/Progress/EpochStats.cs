namespace Runner.Training;

/// <summary>
/// Running sums over the training batches of the epoch in progress. Saved in checkpoints so an
/// epoch resumed mid-way reports the same epoch metrics as one run straight through.
/// </summary>
public sealed record EpochStats
{
    public double LossSum { get; init; }
    public int Steps { get; init; }
    public long Correct { get; init; }
    public long Chars { get; init; }
    /// <summary>Seconds spent in training steps (for chars/s).</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Wall seconds of the epoch so far, over all the runs that worked on it.</summary>
    public double Seconds { get; init; }

    public EpochStats Add(double loss, long correct, long chars, double seconds) => this with
    {
        LossSum = LossSum + loss,
        Steps = Steps + 1,
        Correct = Correct + correct,
        Chars = Chars + chars,
        TrainSeconds = TrainSeconds + seconds,
    };

    public double MeanLoss => Steps == 0 ? double.NaN : LossSum / Steps;
    public double Error => Chars == 0 ? double.NaN : 1.0 - (double)Correct / Chars;
    public double CharsPerSecond => TrainSeconds > 0 ? Chars / TrainSeconds : 0;
}
