using static TorchSharp.torch;

namespace Runner.Data;

/// <summary>
/// Cuts a token stream into windows of <c>seq_len + 1</c> tokens (stride <c>seq_len</c>): inputs
/// are the first <c>seq_len</c>, targets the next character of each. Training visits the windows
/// in an order shuffled by a seed that depends only on (trial seed, epoch); validation visits them
/// in order. A batch holds up to <c>batch_size</c> windows (the last one of an epoch may hold fewer).
/// </summary>
public sealed class BatchPlan
{
    private readonly long[] _tokens;
    private readonly int _seqLen;
    private readonly int _batchSize;

    public BatchPlan(long[] tokens, int seqLen, int batchSize)
    {
        _tokens = tokens;
        _seqLen = seqLen;
        _batchSize = batchSize;
        Windows = (tokens.Length - 1) / seqLen;
    }

    public int Windows { get; }
    public int Batches => (Windows + _batchSize - 1) / _batchSize;

    /// <summary>Window indices in order (validation).</summary>
    public int[] InOrder() => Enumerable.Range(0, Windows).ToArray();

    /// <summary>Window indices shuffled for one epoch (Fisher–Yates on a generator seeded by trial seed and epoch).</summary>
    public int[] Shuffled(long trialSeed, int epoch)
    {
        var order = InOrder();
        var rng = new SplitMix64(SplitMix64.EpochSeed(trialSeed, epoch));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Batch <paramref name="index"/> of <paramref name="order"/>: inputs and targets, both [n, seq_len] int64 on <paramref name="device"/>.</summary>
    public (Tensor Inputs, Tensor Targets) Batch(int[] order, int index, Device device)
    {
        var first = index * _batchSize;
        var n = Math.Min(_batchSize, order.Length - first);
        var inputs = new long[n * _seqLen];
        var targets = new long[n * _seqLen];
        for (var row = 0; row < n; row++)
        {
            var start = order[first + row] * _seqLen;
            Array.Copy(_tokens, start, inputs, row * _seqLen, _seqLen);
            Array.Copy(_tokens, start + 1, targets, row * _seqLen, _seqLen);
        }
        long[] shape = [n, _seqLen];
        return (tensor(inputs, shape).to(device), tensor(targets, shape).to(device));
    }
}
