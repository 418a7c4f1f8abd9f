using System.Text.Json.Serialization;

namespace Runner.Progress;

/// <summary>
/// Running sums over the training batches of the epoch in progress. Saved in checkpoints so an
/// epoch resumed mid-way reports the same epoch metrics as one run straight through.
/// </summary>
internal sealed record EpochStats
{
    public double LossSum { get; init; }
    public int Steps { get; init; }
    public long Correct { get; init; }
    public long Chars { get; init; }
    /// <summary>Seconds spent in training steps (for chars/s).</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Wall seconds of the epoch so far, over all the runs that worked on it.</summary>
    public double Seconds { get; init; }

    /// <summary>
    /// Adds the steps read back from the device together: their losses in step order (summed one by
    /// one, so the mean does not depend on how often the device is read), their correct
    /// next-character guesses and characters, and the seconds they took.
    /// </summary>
    public EpochStats Add(IReadOnlyList<double> losses, long correct, long chars, double seconds)
    {
        var lossSum = LossSum;
        foreach (var loss in losses) lossSum += loss;
        return this with
        {
            LossSum = lossSum,
            Steps = Steps + losses.Count,
            Correct = Correct + correct,
            Chars = Chars + chars,
            TrainSeconds = TrainSeconds + seconds,
        };
    }

    [JsonIgnore] public double MeanLoss => Steps == 0 ? double.NaN : LossSum / Steps;
    [JsonIgnore] public double Error => Chars == 0 ? double.NaN : 1.0 - (double)Correct / Chars;
    [JsonIgnore] public double CharsPerSecond => TrainSeconds > 0 ? Chars / TrainSeconds : 0;
}
