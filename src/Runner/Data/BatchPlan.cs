using static TorchSharp.torch;

namespace Runner.Data;

/// <summary>
/// Cuts a token stream into windows of <c>seq_len + 1</c> tokens (stride <c>seq_len</c>): inputs
/// are the first <c>seq_len</c>, targets the next character of each. Training visits the windows
/// in an order shuffled by a seed that depends only on (trial seed, epoch); validation visits them
/// in order. A batch holds up to <c>batch_size</c> windows (the last one of an epoch may hold fewer).
/// Batches are cut on the device: the tokens go there once, each order once (an order array is not
/// changed after it is first used), so a step copies nothing from the host, and no step waits for
/// the device's queue to drain as a blocking host-to-device copy would.
/// </summary>
internal sealed class BatchPlan
{
    private readonly long[] _tokens;
    private readonly int _seqLen;
    private readonly int _batchSize;

    // On _device, outside every step's dispose scope: the tokens, the offsets 0..seq_len-1 of a
    // window, and the first token of each window of _order (in that order).
    private Device? _device;
    private Tensor? _deviceTokens;
    private Tensor? _offsets;
    private int[]? _order;
    private Tensor? _starts;

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
        var positions = StartsOn(order, device).narrow(0, first, n).unsqueeze(1) + _offsets!;
        return (_deviceTokens!.take(positions), _deviceTokens!.take(positions + 1));
    }

    /// <summary>The first token of each window of <paramref name="order"/>, on <paramref name="device"/> (uploaded when the order or device changes).</summary>
    private Tensor StartsOn(int[] order, Device device)
    {
        if (_device is null || _device.type != device.type || _device.index != device.index)
        {
            _deviceTokens?.Dispose();
            _offsets?.Dispose();
            _starts?.Dispose();
            _deviceTokens = tensor(_tokens).to(device).DetachFromDisposeScope();
            _offsets = arange(_seqLen, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
            (_device, _order, _starts) = (device, null, null);
        }
        if (!ReferenceEquals(order, _order))
        {
            _starts?.Dispose();
            _starts = tensor(order.Select(w => (long)w * _seqLen).ToArray()).to(device).DetachFromDisposeScope();
            _order = order;
        }
        return _starts!;
    }
}
