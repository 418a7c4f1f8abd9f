using Core.Spec;
using TestSupport;

namespace Core.Tests;

public sealed class SpecLoaderTests : IDisposable
{
    private readonly TempDir dir = new("spec");

    public void Dispose() => dir.Dispose();

    private const string Hw3Like = """
        name: hw3
        data: { path: data/tinyshakespeare.txt, val_fraction: 0.1 }
        model: { embedding: 256, layers: 1 }
        train: { batch_size: 64, epochs: 5, lr: 0.002, seed: 42 }
        probe: { text: peo }
        sample: { prime: JULIET, length: 600, temperature: 0.8 }
        grid:
          model.cell: [gru, lstm]
          model.hidden: [256, 512, 1024]
          data.seq_len: [50, 100, 150]
        execution: { device: cpu, parallel: 2, retries: 3 }
        """;

    [Fact]
    public void Expands_the_grid_in_order_with_one_trial_per_cell()
    {
        var spec = SpecLoader.Load(dir.Write("hw3.yaml", Hw3Like));

        Assert.Equal("hw3", spec.Name);
        Assert.Equal(18, spec.Trials.Count);
        Assert.Equal(Enumerable.Range(0, 18), spec.Trials.Select(t => t.Ordinal));
        Assert.Equal(18, spec.Trials.Select(t => t.Id).Distinct().Count());
        // First grid key varies slowest.
        Assert.Equal(["gru", "gru", "gru"], spec.Trials.Take(3).Select(t => t.Config.Model.Cell));
        Assert.Equal([50, 100, 150], spec.Trials.Take(3).Select(t => t.Config.Data.SeqLen));
        var last = spec.Trials[^1];
        Assert.Equal(("lstm", 1024, 150), (last.Config.Model.Cell, last.Config.Model.Hidden, last.Config.Data.SeqLen));
        Assert.Equal(new Dictionary<string, string> { ["model.cell"] = "lstm", ["model.hidden"] = "1024", ["data.seq_len"] = "150" }, last.Grid);
        // Fixed sections apply to every trial.
        Assert.All(spec.Trials, t => Assert.Equal((64, 5, "peo", "JULIET"), (t.Config.Train.BatchSize, t.Config.Train.Epochs, t.Config.Probe.Text, t.Config.Sample.Prime)));
        Assert.Equal(new ExecutionConfig { Device = "cpu", Parallel = 2, Retries = 3 }, spec.Execution);
    }

    [Fact]
    public void Trial_ids_do_not_depend_on_key_order_or_on_execution_settings()
    {
        var reordered = """
            execution: { parallel: 1 }
            grid:
              data.seq_len: [150, 100, 50]
              model.hidden: [1024, 512, 256]
              model.cell: [lstm, gru]
            sample: { temperature: 0.8, length: 600, prime: JULIET }
            probe: { text: peo }
            train: { seed: 42, lr: 0.002, epochs: 5, batch_size: 64 }
            model: { layers: 1, embedding: 256 }
            data: { val_fraction: 0.1, path: data/tinyshakespeare.txt }
            name: hw3
            """;
        var a = SpecLoader.Load(dir.Write("a.yaml", Hw3Like)).Trials.Select(t => t.Id).Order();
        var b = SpecLoader.Load(dir.Write("b.yaml", reordered)).Trials.Select(t => t.Id).Order();
        Assert.Equal(a, b);
        // And they are the same on a second load (no randomness, no paths in the id).
        Assert.Equal(a, SpecLoader.Load(dir.Write("c/a.yaml", Hw3Like)).Trials.Select(t => t.Id).Order());
    }

    [Fact]
    public void Repeats_make_one_trial_per_seed_in_each_cell()
    {
        var spec = SpecLoader.Load(dir.Write("r.yaml", """
            name: rep
            train: { seed: 10 }
            repeats: 3
            grid: { model.cell: [gru, lstm] }
            """));
        Assert.Equal(6, spec.Trials.Count);
        Assert.Equal([10L, 11, 12, 10, 11, 12], spec.Trials.Select(t => t.Config.Train.Seed));
        Assert.Equal([0, 1, 2, 0, 1, 2], spec.Trials.Select(t => t.Repeat));
        Assert.Equal(6, spec.Trials.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public void Without_a_grid_a_spec_is_one_trial()
    {
        var spec = SpecLoader.Load(dir.Write("one.yaml", "name: one\nmodel: { hidden: 32 }\n"));
        var trial = Assert.Single(spec.Trials);
        Assert.Equal(32, trial.Config.Model.Hidden);
        Assert.Empty(trial.Grid);
    }

    [Fact]
    public void Reports_every_problem_at_once_with_line_and_column()
    {
        var path = dir.Write("bad.yaml", """
            name: bad
            model:
              hiden: 256
              cell: gru
            train:
              epochs: five
              batch_size: 0
            sampel: { prime: JULIET }
            grid:
              model.hidden: [256, -1]
              model.hidenn: [1, 2]
              data.seq_len: 100
            execution: { device: tpu }
            """);

        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));

        string Where(int line, int col) => $"{path}:{line}:{col}:";
        Assert.Contains($"{Where(3, 3)} model.hiden: unknown key; did you mean 'hidden'?", e.Message);
        Assert.Contains($"{Where(6, 11)} train.epochs: must be a whole number, got 'five'", e.Message);
        Assert.Contains($"{Where(7, 15)} train.batch_size: must be greater than 0, got 0", e.Message);
        Assert.Contains($"{Where(8, 1)} sampel: unknown section; did you mean 'sample'?", e.Message);
        Assert.Contains($"{Where(10, 23)} grid.model.hidden: must be greater than 0, got -1", e.Message);
        Assert.Contains($"{Where(11, 3)} grid.model.hidenn: names no parameter; did you mean 'model.hidden'?", e.Message);
        Assert.Contains($"{Where(12, 17)} grid.data.seq_len: must be a list of values", e.Message);
        Assert.Contains($"{Where(13, 22)} execution.device: must be one of auto, cpu, cuda, got 'tpu'", e.Message);
        Assert.Equal(8, e.Problems.Count);
    }

    [Fact]
    public void An_empty_grid_and_a_missing_name_are_errors()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(dir.Write("e.yaml", "model: { cell: gru }\ngrid: {}\n")));
        Assert.Contains(e.Problems, p => p.Field == "grid" && p.Message.StartsWith("is empty", StringComparison.Ordinal) && p.Line == 2);
        Assert.Contains(e.Problems, p => p.Field == "name");
    }

    [Fact]
    public void Out_of_range_values_from_fixed_sections_point_at_the_value()
    {
        var path = dir.Write("range.yaml", "name: r\nmodel:\n  cell: transformer\n  dropout: 1.5\ndata: { val_fraction: 0, sha256: abc }\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        Assert.Contains(e.Problems, p => (p.Field, p.Line, p.Column) == ("model.cell", 3, 9) && p.Message.Contains("rnn, gru, lstm", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => (p.Field, p.Line) == ("model.dropout", 4));
        Assert.Contains(e.Problems, p => p.Field == "data.val_fraction" && p.Line == 5);
        Assert.Contains(e.Problems, p => p.Field == "data.sha256" && p.Message.Contains("64 hexadecimal", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_and_broken_yaml_are_reported_with_where()
    {
        var missing = dir.File("nope.yaml");
        Assert.Contains("nope.yaml: file: not found", Assert.Throws<SpecException>(() => SpecLoader.Load(missing)).Message);

        var broken = dir.Write("broken.yaml", "name: x\nmodel:\n  hidden: 3\n bad: 2\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(broken));
        var p = Assert.Single(e.Problems);
        Assert.Equal("yaml", p.Field);
        Assert.Equal(4, p.Line);

        var unclosed = dir.Write("unclosed.yaml", "name: x\nmodel: { hidden: 3\ntrain: {}\n");
        var u = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Load(unclosed)).Problems);
        Assert.Equal(("yaml", 2, 8), (u.Field, u.Line, u.Column));
        Assert.Contains("the '{' here is never closed; add its '}'", u.Message);

        var list = dir.Write("list.yaml", "name: x\ngrid:\n  model.hidden: [16, 24\n  train.lr: [0.1]\n");
        var l = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Load(list)).Problems);
        Assert.Equal((3, 17), (l.Line, l.Column));
        Assert.Contains("the '[' here is never closed; add its ']'", l.Message);
    }

    [Theory]
    [InlineData("hw3")]
    [InlineData("quick_v2.1-b")]
    [InlineData("_scratch")]
    public void Names_of_letters_digits_dashes_underscores_and_dots_are_usable(string name)
    {
        Assert.Null(SweepName.Problem(name));
        Assert.Equal(name, SpecLoader.Load(dir.Write("n.yaml", $"name: '{name}'\n")).Name);
        Assert.Null(SweepName.Problem(new string('a', SweepName.MaxLength)));
    }

    [Theory]
    [InlineData("..", "is not a usable sweep name")]
    [InlineData(".hidden", "is not a usable sweep name")]
    [InlineData("-rf", "is not a usable sweep name")]
    [InlineData("a/b", "is not a usable sweep name")]
    [InlineData("two words", "is not a usable sweep name")]
    [InlineData("études", "use ASCII letters (a-z, A-Z)")]
    public void Names_a_report_folder_or_a_command_line_cannot_take_are_refused_where_they_are_written(string name, string message)
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(dir.Write("n.yaml", $"model: {{ hidden: 8 }}\nname: '{name}'\n")));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("name", 2, 7), (p.Field, p.Line, p.Column));
        Assert.Contains(message, p.Message);
    }

    [Fact]
    public void A_name_longer_than_the_limit_is_refused_with_its_length_not_its_text()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(dir.Write("n.yaml", $"name: {new string('n', SweepName.MaxLength + 1)}\n")));
        Assert.Equal($"is {SweepName.MaxLength + 1} characters long; use at most {SweepName.MaxLength} (it names the report folder)", Assert.Single(e.Problems).Message);
    }

    [Fact]
    public void A_folder_given_as_the_spec_is_called_a_folder()
    {
        dir.Write("specs/b.yaml", "name: b\n");
        dir.Write("specs/a.yml", "name: a\n");
        dir.Write("specs/notes.txt", "");
        var folder = dir.File("specs");
        var p = Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.Load(folder)).Problems);
        Assert.Equal($"{folder}: file: is a folder; give a spec file (YAML), e.g. {folder}/a.yml or {folder}/b.yaml", p.ToString());
        Assert.Contains("is a folder", Assert.Throws<SpecException>(() => SpecLoader.LoadTrial(folder)).Message);
    }

    [Fact]
    public void A_trial_file_loads_into_one_config_and_refuses_sweep_sections()
    {
        var config = SpecLoader.LoadTrial(dir.Write("trial.yaml", """
            data: { path: corpus.txt, seq_len: 16 }
            model: { cell: lstm, embedding: 8, hidden: 32 }
            train: { batch_size: 4, epochs: 2, max_steps: 10 }
            """));
        Assert.Equal(("corpus.txt", 16, "lstm", 32, 2, 10), (config.Data.Path, config.Data.SeqLen, config.Model.Cell, config.Model.Hidden, config.Train.Epochs, config.Train.MaxSteps));

        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadTrial(dir.Write("t2.yaml", "model: { hidden: 8 }\ngrid: { model.cell: [gru] }\n")));
        Assert.Contains("grid: belongs to a sweep spec", e.Message);
    }
}
