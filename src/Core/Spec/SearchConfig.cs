using System.Globalization;

namespace Core.Spec;

/// <summary>
/// The spec's <c>search:</c>: how <c>grid:</c> becomes trials. <see cref="Grid"/> (the default) multiplies
/// its lists; <see cref="Random"/> draws <see cref="Trials"/> configurations from its lists and
/// distributions, trial i from a generator seeded by (<see cref="Seed"/>, i), so the same seed gives the
/// same trials and raising <c>trials</c> keeps the first ones. <see cref="MaxTrials"/> caps the grid's
/// product (a grid bomb is refused before it is expanded).
/// </summary>
public sealed record SearchConfig(string Method = SearchConfig.Grid, int? Trials = null, long Seed = 0, long MaxTrials = SearchConfig.DefaultMaxTrials)
{
    public const string Grid = "grid", Random = "random";
    public static readonly string[] Methods = [Grid, Random];

    /// <summary>The most trials a spec expands to unless <c>search.max_trials</c> raises it.</summary>
    public const long DefaultMaxTrials = 100_000;

    public bool Sampled => Method == Random;
}

/// <summary>
/// One line of <c>grid:</c> as the report needs it: the parameter's dotted path and how its values came about:
/// <see cref="List"/> (a plain list: every value in a grid, a uniform choice when sampled) or one of the
/// distributions (<c>choice</c>, <c>uniform</c>, <c>log_uniform</c>, <c>int_uniform</c>); <see cref="Low"/>
/// and <see cref="High"/> are a distribution's bounds (null for a list or a choice).
/// </summary>
public sealed record SearchAxis(string Path, string Kind, double? Low = null, double? High = null)
{
    public const string List = "list";

    /// <summary>Drawn from a range of numbers (uniform, log_uniform, int_uniform) rather than picked from listed values.</summary>
    public bool IsRange => Low is not null;

    /// <summary>Drawn uniformly on a log scale.</summary>
    public bool IsLog => Kind == Distributions.LogUniform;

    /// <summary>Drawn from the whole numbers Low..High.</summary>
    public bool IsWhole => Kind == Distributions.IntUniform;
}

/// <summary>The kinds of distribution a <c>grid:</c> line may give under <c>search: { method: random }</c>.</summary>
internal static class Distributions
{
    public const string Uniform = "uniform", LogUniform = "log_uniform", IntUniform = "int_uniform", Choice = "choice";
    public static readonly string[] All = [Uniform, LogUniform, IntUniform, Choice];
}

/// <summary>
/// One sampled axis's distribution: <see cref="Distributions.Uniform"/> or <see cref="Distributions.LogUniform"/>
/// over [Low, High], <see cref="Distributions.IntUniform"/> over the whole numbers Low..High, or a uniform choice.
/// </summary>
internal sealed record Distribution(string Kind, double Low, double High)
{
    /// <summary>The value at <paramref name="u"/> ∈ [0, 1), as the spec would write it (6 significant digits for reals).</summary>
    public string Draw(double u) => Kind switch
    {
        Distributions.Uniform => Real(Low + u * (High - Low)),
        Distributions.LogUniform => Real(Math.Exp(Math.Log(Low) + u * (Math.Log(High) - Math.Log(Low)))),
        _ => ((long)Math.Min(High, Low + Math.Floor(u * (High - Low + 1)))).ToString(CultureInfo.InvariantCulture),
    };

    private static string Real(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>
/// The generator behind sampled trials: SplitMix64 (Steele, Lea and Flood), seeded by (seed, trial
/// index), so trial i's values depend on nothing else: prefix-stable by construction.
/// </summary>
internal sealed class TrialDraws(long seed, int trial)
{
    private ulong _state = Mix((ulong)seed ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(trial + 1)));

    /// <summary>The next uniform double in [0, 1).</summary>
    public double Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return (Mix(_state) >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
