using Core.Spec;

namespace Core.Tests;

/// <summary>A loaded spec lists its grid lines with how each was given, which the report reads to know what was sampled and how.</summary>
public sealed class SearchAxesTests
{
    [Fact]
    public void A_spec_lists_each_grid_line_with_its_list_or_distribution_and_bounds()
    {
        var spec = SpecLoader.LoadText("s.yaml", """
            name: s
            search: { method: random, trials: 4, seed: 1 }
            grid:
              model.cell: [gru, lstm]
              train.lr: { log_uniform: [0.0005, 0.005] }
              model.hidden: { choice: [256, 512] }
              model.dropout: { uniform: [0.0, 0.3] }
              data.seq_len: { int_uniform: [50, 150] }
            """);
        Assert.Equal(
            [
                new SearchAxis("model.cell", SearchAxis.List),
                new SearchAxis("train.lr", "log_uniform", 0.0005, 0.005),
                new SearchAxis("model.hidden", "choice"),
                new SearchAxis("model.dropout", "uniform", 0.0, 0.3),
                new SearchAxis("data.seq_len", "int_uniform", 50, 150),
            ], spec.Axes!);
        Assert.Equal([false, true, false, false, false], spec.Axes!.Select(a => a.IsLog));
        Assert.Equal([false, true, false, true, true], spec.Axes!.Select(a => a.IsRange));
        Assert.True(spec.Axes![4].IsWhole);

        var grid = SpecLoader.LoadText("g.yaml", "name: g\ngrid:\n  model.hidden: [256, 512]\n");
        Assert.Equal([new SearchAxis("model.hidden", SearchAxis.List)], grid.Axes!);
    }
}
