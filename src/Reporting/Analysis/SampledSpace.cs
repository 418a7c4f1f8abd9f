using System.Globalization;
using Core.Spec;
using Reporting.Data;

namespace Reporting.Analysis;

/// <summary>
/// The parameters a random-search sweep (<c>search: { method: random }</c>) sampled, read from the spec the sweep
/// stored (<c>sweeps.spec_yaml</c>, parsed by the spec loader itself): each varied factor of the design with the
/// grid line that drew it. Null for a grid sweep, or when the stored spec is missing or no longer parses (the
/// report then shows the sweep as a grid).
/// </summary>
internal sealed class SampledSpace
{
    private SampledSpace(SearchConfig search, IReadOnlyList<SampledParam> parameters)
    {
        Search = search;
        Params = parameters;
    }

    public SearchConfig Search { get; }
    /// <summary>The sampled parameters that took more than one value, in the spec's order.</summary>
    public IReadOnlyList<SampledParam> Params { get; }

    public static SampledSpace? Of(SweepData data, Design design)
    {
        // A sampled spec says "random" (search.method); without it there is nothing to parse, and a large grid is not expanded again.
        if (data.Sweep.SpecYaml is not { } yaml || !yaml.Contains(SearchConfig.Random, StringComparison.Ordinal)) return null;
        SweepSpec spec;
        try { spec = SpecLoader.LoadText(data.Sweep.SpecPath ?? data.Sweep.Name, yaml); }
        catch (SpecException) { return null; }
        if (spec.Search is not { Sampled: true } search || spec.Axes is null) return null;
        var parameters = spec.Axes
            .Select(a => (Axis: a, Factor: design.Factors.FirstOrDefault(f => f.Path == a.Path)))
            .Where(x => x.Factor is { Levels.Count: > 1 })
            .Select(x => new SampledParam(x.Factor!, x.Axis))
            .ToList();
        return new SampledSpace(search, parameters);
    }
}

/// <summary>A sampled parameter: the design's factor and how its values were drawn.</summary>
internal sealed record SampledParam(Factor Factor, SearchAxis Axis)
{
    /// <summary>Drawn from a range (uniform, log_uniform, int_uniform): plotted on a numeric axis, ranked by Spearman's ρ.</summary>
    public bool IsNumeric => Axis.IsRange;
    public bool IsLog => Axis.IsLog;

    /// <summary>"log-uniform on [1e-05, 0.03]", "by uniform choice from a list (3 distinct values drawn)".</summary>
    public string Drawn => Axis.IsRange
        ? $"{Axis.Kind.Replace('_', '-')} on [{Number(Axis.Low!.Value)}, {Number(Axis.High!.Value)}]"
        : $"by uniform choice from a list ({Factor.Levels.Count} distinct values drawn)";

    /// <summary>The parameter's value in a trial as a number for the x axis (its log10 for a log-uniform one); null when not numeric.</summary>
    public double? X(Level level) => level.Number is { } v ? IsLog ? Math.Log10(v) : v : null;

    private static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
