namespace Orchestrator.Scheduling;

/// <summary>
/// Spreads a run's trials over its GPUs: each in-flight trial holds a <see cref="GpuSlot"/> on one
/// GPU, the least loaded (the first listed on a tie), and no GPU holds more than its capacity:
/// <c>trials_per_gpu</c> (no limit when 0), lowered below the number of trials that shared it when one
/// of them ran out of its memory. Each GPU's capacity and running attempts are a <see cref="Concurrency"/>
/// of its own, as the whole run's are. Without GPUs every slot is <see cref="GpuSlot.None"/>. Thread-safe.
/// </summary>
internal sealed class GpuPool
{
    private readonly object _lock = new();
    private readonly string[] _gpus;
    private readonly int[] _held;
    private readonly Concurrency[] _each;

    public GpuPool(IReadOnlyList<string> gpus, int trialsPerGpu)
    {
        _gpus = [.. gpus];
        _held = new int[_gpus.Length];
        _each = _gpus.Select(_ => new Concurrency(trialsPerGpu > 0 ? trialsPerGpu : int.MaxValue)).ToArray();
    }

    /// <summary>Whether <see cref="TryTake"/> would give a slot now.</summary>
    public bool HasRoom
    {
        get { lock (_lock) return _gpus.Length == 0 || Enumerable.Range(0, _gpus.Length).Any(i => _held[i] < _each[i].Limit); }
    }

    /// <summary>The trials <paramref name="gpu"/> may hold at once now; <see cref="int.MaxValue"/> when it has no limit.</summary>
    public int Capacity(string gpu) => _each[Array.IndexOf(_gpus, gpu)].Limit;

    /// <summary>A slot on the least loaded GPU with room; null when every GPU is full. Dispose it when the trial is done with it.</summary>
    public GpuSlot? TryTake()
    {
        if (_gpus.Length == 0) return GpuSlot.None;
        lock (_lock)
        {
            var best = -1;
            for (var i = 0; i < _gpus.Length; i++)
                if (_held[i] < _each[i].Limit && (best < 0 || _held[i] < _held[best])) best = i;
            if (best < 0) return null;
            _held[best]++;
            return new GpuSlot(this, _each[best], best, _gpus[best]);
        }
    }

    internal void Release(int index)
    {
        lock (_lock) _held[index]--;
    }
}

/// <summary>One trial's place on a GPU (its CUDA_VISIBLE_DEVICES value), from claim to conclusion.</summary>
internal sealed class GpuSlot : IDisposable
{
    private readonly GpuPool? _pool;
    private readonly Concurrency? _gpu;
    private readonly int _index;
    private bool _released;

    internal GpuSlot(GpuPool? pool, Concurrency? gpu, int index, string? id) => (_pool, _gpu, _index, Gpu) = (pool, gpu, index, id);

    /// <summary>No GPU: the Runner gets no CUDA_VISIBLE_DEVICES of its own.</summary>
    public static GpuSlot None { get; } = new(null, null, -1, null);

    /// <summary>The GPU's id as CUDA_VISIBLE_DEVICES takes it; null for <see cref="None"/>.</summary>
    public string? Gpu { get; }

    /// <summary>
    /// Counts an attempt as running on this GPU until the returned scope is disposed; its
    /// <see cref="Concurrency.Attempt.Sharing"/> is the attempts running on the GPU (1 without a GPU:
    /// a count of its own).
    /// </summary>
    public Concurrency.Attempt Start() => (_gpu ?? new Concurrency(1)).Start();

    /// <summary>Lowers this GPU's capacity below <paramref name="sharing"/> (the attempts that ran on it when one ran out of memory), never below 1; returns it.</summary>
    public int LowerBelow(int sharing) => _gpu?.LowerBelow(sharing) ?? 1;

    public void Dispose()
    {
        if (_pool is null || _released) return;
        _released = true;
        _pool.Release(_index);
    }
}
