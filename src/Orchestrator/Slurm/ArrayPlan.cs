using System.Globalization;

namespace Orchestrator.Slurm;

/// <summary>
/// One sbatch submission of a sweep's workers: array task ids <c>0..Count-1</c>, at most
/// <see cref="Throttle"/> running at once (<c>--array=0-(Count-1)%Throttle</c>), optionally held
/// until an earlier submission has ended (<see cref="AfterChunk"/>: <c>--dependency=afterany:ID</c>).
/// </summary>
internal sealed record ArrayChunk(int Count, int Throttle, int? AfterChunk)
{
    public string ArraySpec => Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"0%{Throttle}")
        : string.Create(CultureInfo.InvariantCulture, $"0-{Count - 1}%{Throttle}");
}

/// <summary>
/// Splits K workers with at most P running at once into job arrays the cluster accepts: array task
/// ids must be below its MaxArraySize, so more than MaxArraySize workers become several arrays.
/// Together they still run at most P tasks at once: P is divided between the arrays (one each, the
/// rest to the first arrays as far as they have tasks); when there are
/// more arrays than P, array i waits for array i−P to end (afterany), so at most P arrays (each
/// throttled to 1) run at a time.
/// </summary>
internal static class ArrayPlan
{
    public static IReadOnlyList<ArrayChunk> Split(int workers, int atOnce, int maxArraySize)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "at least one worker");
        if (atOnce < 1) throw new ArgumentOutOfRangeException(nameof(atOnce), atOnce, "at least one at once");
        if (maxArraySize < 1) throw new ArgumentOutOfRangeException(nameof(maxArraySize), maxArraySize, "MaxArraySize is at least 1");
        atOnce = Math.Min(atOnce, workers);
        var counts = Enumerable.Range(0, (workers + maxArraySize - 1) / maxArraySize)
            .Select(i => Math.Min(maxArraySize, workers - i * maxArraySize)).ToList();
        var result = new List<ArrayChunk>(counts.Count);
        if (atOnce < counts.Count)
        {
            // More arrays than tasks at once: P chains of arrays, one task at a time each.
            for (var i = 0; i < counts.Count; i++)
                result.Add(new ArrayChunk(counts[i], 1, i >= atOnce ? i - atOnce : null));
            return result;
        }
        // One task at once per array, then the rest of P to the arrays in order, as far as each has tasks.
        var throttles = counts.Select(_ => 1).ToArray();
        var left = atOnce - counts.Count;
        for (var i = 0; i < counts.Count && left > 0; i++)
        {
            var add = Math.Min(left, counts[i] - throttles[i]);
            throttles[i] += add;
            left -= add;
        }
        for (var i = 0; i < counts.Count; i++) result.Add(new ArrayChunk(counts[i], throttles[i], null));
        return result;
    }
}
