namespace Runner.Data;

/// <summary>
/// A tiny deterministic generator (SplitMix64) for shuffling. Its output depends only on its seed,
/// never on the .NET version, so a batch order can always be re-derived from (trial seed, epoch)
/// and nothing about it needs saving in checkpoints.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n) without modulo bias.</summary>
    public int NextInt(int n)
    {
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)n;
        ulong r;
        do r = Next(); while (r >= limit);
        return (int)(r % (ulong)n);
    }

    /// <summary>The seed of epoch <paramref name="epoch"/>'s shuffle: a mix of the trial seed and the epoch only.</summary>
    public static ulong EpochSeed(long trialSeed, int epoch)
    {
        var g = new SplitMix64(unchecked((ulong)trialSeed) ^ 0x5EED_0F_C4A2_0000UL);
        var a = g.Next();
        return a ^ (new SplitMix64(unchecked((ulong)epoch) * 0x9E3779B97F4A7C15UL).Next());
    }
}
