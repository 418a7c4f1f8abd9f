using Core.Config;

namespace Orchestrator.Estimates;

/// <summary>
/// What a trial has left to train, in characters: epochs still to run × optimizer steps per epoch ×
/// batch × seq_len, and the validation characters of those epochs. Steps per epoch follow the
/// Runner's batching (windows of seq_len over the training split, batch_size a step, capped by
/// train.max_steps), from the corpus file's size; without the file, train.max_steps (or unknown).
/// </summary>
internal sealed record TrialWork(int Epochs, long StepsPerEpoch, long TrainChars, long ValChars)
{
    /// <param name="epochsLeft">Epochs still to train (0 for a completed trial, the budget for a new one).</param>
    public static TrialWork? Of(TrialConfig config, int epochsLeft)
    {
        var (data, train) = (config.Data, config.Train);
        var length = Length(data.Path);
        long? trainLength = length is null ? null : data.ValPath is null ? length - (long)Math.Floor(length.Value * data.ValFraction) : length;
        long? valLength = data.ValPath is not null ? Length(data.ValPath) : length is null ? null : (long)Math.Floor(length.Value * data.ValFraction);
        long? batches = trainLength is null ? null : Batches(trainLength.Value, data.SeqLen, train.BatchSize);
        long? steps = batches is { } b ? (train.MaxSteps > 0 ? Math.Min(train.MaxSteps, b) : b) : train.MaxSteps > 0 ? train.MaxSteps : null;
        if (steps is null) return null;
        var valBatches = valLength is null ? train.ValBatches : Batches(valLength.Value, data.SeqLen, train.BatchSize);
        if (train.ValBatches > 0) valBatches = Math.Min(valBatches, train.ValBatches);
        var perBatch = (long)train.BatchSize * data.SeqLen;
        return new TrialWork(epochsLeft, steps.Value, epochsLeft * steps.Value * perBatch, epochsLeft * valBatches * perBatch);
    }

    private static long Batches(long chars, int seqLen, int batchSize)
    {
        var windows = Math.Max(0, (chars - 1) / seqLen);
        return (windows + batchSize - 1) / batchSize;
    }

    private static long? Length(string path) => File.Exists(path) ? new FileInfo(path).Length : null;
}
