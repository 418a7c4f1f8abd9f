namespace Reporting.Analysis;

/// <summary>Mean, sample standard deviation and range of a metric over the seeds (repeats) of one configuration.</summary>
internal readonly record struct Stat(double Mean, double Sd, double Min, double Max, int N)
{
    public static Stat? Of(IEnumerable<double?> values)
    {
        var xs = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToList();
        if (xs.Count == 0) return null;
        var mean = xs.Sum() / xs.Count;
        var sd = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : 0;
        return new Stat(mean, sd, xs.Min(), xs.Max(), xs.Count);
    }

    /// <summary>"1.2345", or "1.2345 ± 0.0123" over several seeds.</summary>
    public string Show(Func<double?, string> format) => N > 1 ? $"{format(Mean)} ± {format(Sd)}" : format(Mean);

    public static string Show(Stat? s, Func<double?, string> format) => s is { } x ? x.Show(format) : Format.Missing;
}
