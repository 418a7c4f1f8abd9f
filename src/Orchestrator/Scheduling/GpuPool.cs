namespace Orchestrator.Scheduling;

/// <summary>
/// Spreads a run's trials over its GPUs: each in-flight trial holds a <see cref="GpuSlot"/> on one
/// GPU, the least loaded (the first listed on a tie), and no GPU holds more than its capacity:
/// <c>trials_per_gpu</c> (no limit when 0), lowered below the number of trials that shared it when one
/// of them ran out of its memory. Without GPUs every slot is <see cref="GpuSlot.None"/>. Thread-safe.
/// </summary>
public sealed class GpuPool
{
    private readonly object _lock = new();
    private readonly string[] _gpus;
    private readonly int[] _held;
    private readonly int[] _running;
    private readonly int[] _capacity;

    public GpuPool(IReadOnlyList<string> gpus, int trialsPerGpu)
    {
        _gpus = [.. gpus];
        _held = new int[_gpus.Length];
        _running = new int[_gpus.Length];
        _capacity = Enumerable.Repeat(trialsPerGpu > 0 ? trialsPerGpu : int.MaxValue, _gpus.Length).ToArray();
    }

    public IReadOnlyList<string> Gpus => _gpus;

    /// <summary>Whether <see cref="TryTake"/> would give a slot now.</summary>
    public bool HasRoom
    {
        get { lock (_lock) return _gpus.Length == 0 || Enumerable.Range(0, _gpus.Length).Any(i => _held[i] < _capacity[i]); }
    }

    /// <summary>The trials <paramref name="gpu"/> may hold at once now; <see cref="int.MaxValue"/> when it has no limit.</summary>
    public int Capacity(string gpu)
    {
        lock (_lock) return _capacity[Array.IndexOf(_gpus, gpu)];
    }

    /// <summary>A slot on the least loaded GPU with room; null when every GPU is full. Dispose it when the trial is done with it.</summary>
    public GpuSlot? TryTake()
    {
        if (_gpus.Length == 0) return GpuSlot.None;
        lock (_lock)
        {
            var best = -1;
            for (var i = 0; i < _gpus.Length; i++)
                if (_held[i] < _capacity[i] && (best < 0 || _held[i] < _held[best])) best = i;
            if (best < 0) return null;
            _held[best]++;
            return new GpuSlot(this, best, _gpus[best]);
        }
    }

    internal void Release(int index)
    {
        lock (_lock) _held[index]--;
    }

    internal int StartAttempt(int index)
    {
        lock (_lock) return ++_running[index];
    }

    internal void EndAttempt(int index)
    {
        lock (_lock) _running[index]--;
    }

    internal int RunningOn(int index)
    {
        lock (_lock) return _running[index];
    }

    internal int LowerBelow(int index, int sharing)
    {
        lock (_lock) return _capacity[index] = Math.Max(1, Math.Min(_capacity[index], sharing - 1));
    }
}

/// <summary>One trial's place on a GPU (its CUDA_VISIBLE_DEVICES value), from claim to conclusion.</summary>
public sealed class GpuSlot : IDisposable
{
    private readonly GpuPool? _pool;
    private readonly int _index;
    private bool _released;

    internal GpuSlot(GpuPool? pool, int index, string? gpu) => (_pool, _index, Gpu) = (pool, index, gpu);

    /// <summary>No GPU: the Runner gets no CUDA_VISIBLE_DEVICES of its own.</summary>
    public static GpuSlot None { get; } = new(null, -1, null);

    /// <summary>The GPU's id as CUDA_VISIBLE_DEVICES takes it; null for <see cref="None"/>.</summary>
    public string? Gpu { get; }

    /// <summary>Counts an attempt as running on this GPU until the returned scope is disposed.</summary>
    public Attempt Start()
    {
        _pool?.StartAttempt(_index);
        return new Attempt(this);
    }

    /// <summary>Lowers this GPU's capacity below <paramref name="sharing"/> (the attempts that ran on it when one ran out of memory), never below 1; returns it.</summary>
    public int LowerBelow(int sharing) => _pool?.LowerBelow(_index, sharing) ?? 1;

    public void Dispose()
    {
        if (_pool is null || _released) return;
        _released = true;
        _pool.Release(_index);
    }

    /// <summary>One attempt running on the slot's GPU; <see cref="Sharing"/> is read as it ends.</summary>
    public sealed class Attempt(GpuSlot slot) : IDisposable
    {
        private bool _ended;

        /// <summary>The attempts running on this GPU now, this one included (1 without a GPU).</summary>
        public int Sharing => slot._pool?.RunningOn(slot._index) ?? 1;

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            slot._pool?.EndAttempt(slot._index);
        }
    }
}
