using System.Collections;
using Core.Config;

namespace Core.Spec;

/// <summary>
/// The trials of a grid (cartesian product, first key slowest, × repeats) as a list that builds trial
/// i when it is asked for, from i alone: a grid of a million trials holds no million configs, so
/// <c>run --dry-run</c> streams it. Every enumeration builds the trials afresh, so grids up to
/// <see cref="LazyAbove"/> trials are built once instead.
/// </summary>
public sealed class GridTrials : IReadOnlyList<PlannedTrial>
{
    /// <summary>Grids of more trials than this are kept lazy; smaller ones are built once, as a plain list.</summary>
    public const int LazyAbove = 10_000;

    private readonly TrialConfig baseConfig;
    private readonly IReadOnlyList<GridAxis> grid;
    private readonly int repeats, count;

    internal GridTrials(TrialConfig baseConfig, IReadOnlyList<GridAxis> grid, int repeats, int count) =>
        (this.baseConfig, this.grid, this.repeats, this.count) = (baseConfig, grid, repeats, count);

    public int Count => count;

    public PlannedTrial this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
            var (cell, repeat) = Math.DivRem(index, repeats);
            var values = new GridValue[grid.Count];
            for (var k = grid.Count - 1; k >= 0; k--)
            {
                (cell, var at) = Math.DivRem(cell, grid[k].Values.Count);
                values[k] = grid[k].Values[at];
            }
            var combo = grid.Select((axis, k) => (axis.Param, values[k])).ToList();
            var config = Configure(baseConfig, combo, repeat);
            return new PlannedTrial(config.Id(), config, index, combo.ToDictionary(g => g.Param.Path, g => g.Item2.Text), repeat);
        }
    }

    /// <summary>The config of one combination of grid values and one repeat (seed train.seed + repeat).</summary>
    internal static TrialConfig Configure(TrialConfig baseConfig, IEnumerable<(Param Param, GridValue Value)> combo, int repeat)
    {
        var config = combo.Aggregate(baseConfig, (c, g) => g.Param.Apply(c, g.Value.Value));
        return repeat > 0 ? config with { Train = config.Train with { Seed = config.Train.Seed + repeat } } : config;
    }

    public IEnumerator<PlannedTrial> GetEnumerator()
    {
        for (var i = 0; i < count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
