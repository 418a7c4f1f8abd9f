namespace Core.Spec;

/// <summary>"Did you mean": the nearest valid name by edit distance, if it is near enough to be a typo.</summary>
internal static class Suggest
{
    public static string? Nearest(string given, IEnumerable<string> valid)
    {
        var best = valid.Select(v => (v, d: Distance(given.ToLowerInvariant(), v.ToLowerInvariant())))
            .OrderBy(x => x.d).ThenBy(x => x.v, StringComparer.Ordinal).FirstOrDefault();
        return best.v is not null && best.d <= Math.Max(2, given.Length / 3) ? best.v : null;
    }

    public static string Hint(string given, IEnumerable<string> valid)
    {
        var list = valid.ToList();
        var near = Nearest(given, list);
        return near is not null ? $"did you mean '{near}'?" : $"valid keys: {string.Join(", ", list)}";
    }

    private static int Distance(string a, string b)
    {
        var prev = Enumerable.Range(0, b.Length + 1).ToArray();
        var cur = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
