using Core.Spec;
using TestSupport;

namespace Core.Tests;

/// <summary>
/// <c>search: { method: random }</c> over lists and distributions: reproducible, prefix-stable, within
/// bounds; every bad input located; and a grid too big to expand refused with its count.
/// </summary>
public sealed class SearchSpecTests : IDisposable
{
    private readonly TempDir dir = new("search");

    public void Dispose() => dir.Dispose();

    private SweepSpec Load(string search, string grid = """
          model.cell: [gru, lstm]
          train.lr: { log_uniform: [0.0005, 0.005] }
          model.hidden: { choice: [256, 512, 1024] }
          model.dropout: { uniform: [0.0, 0.3] }
          data.seq_len: { int_uniform: [50, 150] }
        """) =>
        SpecLoader.Load(dir.Write("s.yaml", $"name: s\nmodel: {{ layers: 2 }}\n{search}\ngrid:\n{grid}"));

    private string Problems(string search, string grid) => Assert.Throws<SpecException>(() => Load(search, grid)).Message.Replace(dir.Path + "/", "");

    [Fact]
    public void The_same_seed_draws_the_same_trials_within_their_distributions()
    {
        var a = Load("search: { method: random, trials: 24, seed: 7 }");
        var b = Load("search: { method: random, trials: 24, seed: 7 }");
        var other = Load("search: { method: random, trials: 24, seed: 8 }");

        Assert.Equal(24, a.Trials.Count);
        Assert.Equal(a.Trials.Select(t => t.Id), b.Trials.Select(t => t.Id));
        Assert.NotEqual(a.Trials.Select(t => t.Id), other.Trials.Select(t => t.Id));
        Assert.Equal(new SearchConfig("random", 24, 7), a.Search);
        Assert.All(a.Trials, t =>
        {
            var c = t.Config;
            Assert.Contains(c.Model.Cell, new[] { "gru", "lstm" });
            Assert.InRange(c.Train.Lr, 0.0005, 0.005);
            Assert.Contains(c.Model.Hidden, new[] { 256, 512, 1024 });
            Assert.InRange(c.Model.Dropout, 0.0, 0.3);
            Assert.InRange(c.Data.SeqLen, 50, 150);
            Assert.Equal(["model.cell", "train.lr", "model.hidden", "model.dropout", "data.seq_len"], t.Grid.Keys);
            Assert.Equal(c.Train.Lr, double.Parse(t.Grid["train.lr"], System.Globalization.CultureInfo.InvariantCulture));
        });
        // Every value of a list is drawn, and a log-uniform learning rate falls below the middle of its range about half the time.
        Assert.Equal(2, a.Trials.Select(t => t.Config.Model.Cell).Distinct().Count());
        Assert.Equal(3, a.Trials.Select(t => t.Config.Model.Hidden).Distinct().Count());
        Assert.InRange(a.Trials.Count(t => t.Config.Train.Lr < Math.Sqrt(0.0005 * 0.005)), 6, 18);
    }

    [Fact]
    public void Raising_trials_keeps_the_first_ones_and_adds_the_rest()
    {
        var first = Load("search: { method: random, trials: 24, seed: 7 }");
        var more = Load("search: { method: random, trials: 36, seed: 7 }");

        Assert.Equal(36, more.Trials.Count);
        Assert.Equal(first.Trials.Select(t => (t.Id, t.Ordinal)), more.Trials.Take(24).Select(t => (t.Id, t.Ordinal)));
        Assert.Equal(36, more.Trials.Select(t => t.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("search: { method: grid }", "  train.lr: { log_uniform: [0.0005, 0.005] }",
        "s.yaml:5:13: grid.train.lr: log_uniform is a distribution, which a grid cannot list: sample the space with search: { method: random, trials: 24 }")]
    [InlineData("", "  model.hidden: { choice: [256, 512] }", "s.yaml:5:17: grid.model.hidden: choice draws one of its values, which a grid does not")]
    [InlineData("search: { method: randon, trials: 3 }", "  model.hidden: [16]", "s.yaml:3:19: search.method: must be one of grid, random, got 'randon'")]
    [InlineData("search: { method: random }", "  model.hidden: [16]", "s.yaml:3:9: search.trials: is required with method: random")]
    [InlineData("search: { method: random, trials: 0 }", "  model.hidden: [16]", "s.yaml:3:35: search.trials: must be at least 1, got 0")]
    [InlineData("search: { trials: 5 }", "  model.hidden: [16]", "s.yaml:3:11: search.trials: applies to method: random only")]
    [InlineData("search: { method: random, trials: 2, seeds: 1 }", "  model.hidden: [16]", "s.yaml:3:38: search.seeds: unknown key; did you mean 'seed'?")]
    [InlineData("search: { method: random, trials: 2 }", "  model.hidden: { uniform: [16, 64] }", "s.yaml:5:19: grid.model.hidden: uniform draws real numbers, but model.hidden takes whole numbers; use int_uniform")]
    [InlineData("search: { method: random, trials: 2 }", "  train.lr: { int_uniform: [1, 3] }", "s.yaml:5:15: grid.train.lr: int_uniform draws whole numbers, but train.lr takes real numbers")]
    [InlineData("search: { method: random, trials: 2 }", "  train.lr: { log_uniform: [0, 0.1] }", "s.yaml:5:29: grid.train.lr: log_uniform's low must be greater than 0")]
    [InlineData("search: { method: random, trials: 2 }", "  train.lr: { uniform: [0.1, 0.01] }", "s.yaml:5:24: grid.train.lr: uniform's low must be below its high, got [0.1, 0.01]")]
    [InlineData("search: { method: random, trials: 2 }", "  train.lr: { uniform: [0.1] }", "s.yaml:5:24: grid.train.lr: uniform must be [low, high], two numbers")]
    [InlineData("search: { method: random, trials: 2 }", "  train.lr: { normal: [0.1, 1] }", "s.yaml:5:15: grid.train.lr: unknown distribution 'normal'")]
    [InlineData("search: { method: random, trials: 2 }", "  model.cell: { uniform: [1, 2] }", "s.yaml:5:17: grid.model.cell: model.cell takes text; draw it with choice: [...]")]
    [InlineData("search: { method: random, trials: 2 }", "  model.dropout: { uniform: [0.0, 1.5] }", "s.yaml:5:18: grid.model.dropout: bound 1.5 must be in [0, 1)")]
    [InlineData("search: { method: random, trials: 2 }", "  model.hidden: { choice: [16, x] }", "s.yaml:5:32: grid.model.hidden: must be a whole number, got 'x'")]
    public void Bad_input_is_located_and_says_what_would_be_right(string search, string grid, string expected) =>
        Assert.Contains(expected, Problems(search, grid));

    [Fact]
    public void A_grid_bomb_is_refused_with_its_count_before_it_is_expanded_unless_max_trials_allows_it()
    {
        var bomb = string.Join("\n", Enumerable.Range(0, 7).Select(i => $"  {new[] { "model.hidden", "model.embedding", "data.seq_len", "train.batch_size", "train.seed", "train.max_steps", "sample.seed" }[i]}: [{string.Join(", ", Enumerable.Range(1, 10))}]"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var message = Problems("", bomb);
        Assert.Contains("s.yaml:5:3: grid: expands to 10,000,000 trials (10 model.hidden × 10 model.embedding × 10 data.seq_len × 10 train.batch_size × 10 train.seed × 10 train.max_steps × 10 sample.seed), "
                        + "more than search.max_trials (100,000); raise search.max_trials if you mean it, or sample the space with search: { method: random, trials: N }", message);

        Assert.Contains("expands to 9 trials (3 model.hidden × 3 model.embedding), more than search.max_trials (8)",
            Problems("search: { max_trials: 8 }", "  model.hidden: [16, 24, 32]\n  model.embedding: [8, 16, 24]"));
        Assert.Equal(9, Load("search: { max_trials: 9 }", "  model.hidden: [16, 24, 32]\n  model.embedding: [8, 16, 24]").Trials.Count);
        Assert.Contains("expands to 200,000 trials (200000 draws)", Problems("search: { method: random, trials: 200000 }", "  model.hidden: [16]"));
    }
}
