namespace Orchestrator.Scheduling;

/// <summary>
/// How many trials this orchestrator runs at once, and how many Runners run now. The limit starts
/// at the sweep's parallel and only goes down: when a trial runs out of memory while others run
/// beside it, the limit drops below that number, so the trial is tried again with fewer sharing the
/// machine (and its GPU). Thread-safe.
/// </summary>
internal sealed class Concurrency(int limit)
{
    private int _limit = Math.Max(1, limit);
    private int _running;

    public int Limit => Volatile.Read(ref _limit);

    /// <summary>Attempts (Runner processes) running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Counts an attempt as running until the returned scope is disposed.</summary>
    public Attempt Start()
    {
        Interlocked.Increment(ref _running);
        return new Attempt(this);
    }

    /// <summary>Lowers the limit below <paramref name="sharing"/> (the attempts that ran when one ran out of memory), never below 1; returns the new limit.</summary>
    public int LowerBelow(int sharing)
    {
        while (true)
        {
            var current = Limit;
            var lowered = Math.Max(1, Math.Min(current, sharing - 1));
            if (Interlocked.CompareExchange(ref _limit, lowered, current) == current) return lowered;
        }
    }

    /// <summary>One running attempt; <see cref="Sharing"/> is read as it ends.</summary>
    public sealed class Attempt(Concurrency owner) : IDisposable
    {
        private bool _ended;

        /// <summary>The attempts running now, this one included.</summary>
        public int Sharing => owner.Running;

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            Interlocked.Decrement(ref owner._running);
        }
    }
}
