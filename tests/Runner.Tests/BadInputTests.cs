using Core.Config;
using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>
/// Each bad input gets exit 2 and a message naming what is wrong, and leaves everything already
/// recorded as it was. The database used is a copy of the reference run's (a trained trial with
/// metrics, checkpoints, probes and a sample).
/// </summary>
[Collection(RunnerProcesses.Name)]
public sealed class BadInputTests : IDisposable
{
    private readonly ReferenceRun _reference;
    private readonly TempDir _dir = new("runner-bad");

    public BadInputTests(ReferenceRun reference)
    {
        _reference = reference;
        StoreDump.CopyFolder(reference.Dir.Path, _dir.Path);
    }

    private string Db => _dir.File("results/o.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    /// <summary>Trains a trial file written into the copied folder; asserts exit 2, that the trial failed with the message, and that nothing else changed.</summary>
    private string TrainFails(TinyTrial trial, params string[] expected)
    {
        File.WriteAllText(_dir.File("bad.yaml"), trial.ToYaml());
        var id = SpecLoader.LoadTrial(_dir.File("bad.yaml")).Id();
        var before = StoreDump.Of(Db);

        var run = RunnerCli.Run(_dir.Path, "train", "--config", "bad.yaml", "--db", "results/o.db", "--threads", "1");

        Assert.True(run.ExitCode == 2, run.ToString());
        foreach (var text in expected) Assert.Contains(text, run.StdErr);
        var row = new TrialRepository(Database.Open(Db)).Get(id)!;
        Assert.Equal((TrialStates.Failed, 2), (row.State, row.ExitCode));
        foreach (var text in expected) Assert.Contains(text, row.Failure);
        Assert.Equal(0, StoreDump.Scalar(Db, $"SELECT COUNT(*) FROM metrics WHERE trial_id = '{id}'") + StoreDump.Scalar(Db, $"SELECT COUNT(*) FROM checkpoints WHERE trial_id = '{id}'"));
        Assert.Equal(before, StoreDump.Of(Db, exceptTrial: id));
        return run.StdErr;
    }

    [Fact]
    public void A_missing_corpus_names_the_path_to_put_it_at_and_the_expected_sha256()
    {
        var sha = new string('a', 64);
        TrainFails(new TinyTrial { CorpusPath = "nowhere/corpus.txt", Sha256 = sha },
            $"the corpus {_dir.File("nowhere/corpus.txt")} does not exist", $"Put the corpus file at {_dir.File("nowhere/corpus.txt")} (expected sha256 {sha})");
    }

    [Fact]
    public void An_empty_corpus_is_refused()
    {
        File.WriteAllText(_dir.File("empty.txt"), "");
        TrainFails(new TinyTrial { CorpusPath = "empty.txt" }, $"the corpus {_dir.File("empty.txt")} is empty");
    }

    [Fact]
    public void A_corpus_shorter_than_seq_len_plus_one_is_refused()
    {
        File.WriteAllText(_dir.File("short.txt"), "JULIET: hi");
        TrainFails(new TinyTrial { CorpusPath = "short.txt", SeqLen = 16 },
            $"the corpus {_dir.File("short.txt")} has 10 characters, but data.seq_len = 16 needs at least 17");
    }

    [Fact]
    public void A_folder_given_as_the_corpus_is_called_a_folder()
    {
        Directory.CreateDirectory(_dir.File("texts"));
        File.Copy(_dir.File("corpus.txt"), _dir.File("texts/corpus.txt"));
        TrainFails(new TinyTrial { CorpusPath = "texts" },
            $"data.path {_dir.File("texts")} is a folder; set data.path to the corpus file itself, e.g. {_dir.File("texts/corpus.txt")}");
    }

    [Fact]
    public void A_folder_given_as_the_validation_file_is_called_a_folder()
    {
        Directory.CreateDirectory(_dir.File("val"));
        TrainFails(new TinyTrial { ValPath = "val" }, $"the validation file (data.val_path) {_dir.File("val")} is a folder; give the text file itself");
    }

    [Fact]
    public void A_val_fraction_too_small_for_one_sequence_says_how_many_characters_it_holds_out_and_the_fraction_that_would_do()
    {
        var length = File.ReadAllText(_dir.File("corpus.txt")).Length;
        var stderr = TrainFails(new TinyTrial { ValFraction = 0.00001, SeqLen = 16 },
            $"the validation split (data.val_fraction = 1E-05: the last 0 of the {length} characters of {_dir.File("corpus.txt")}) has 0 characters, but data.seq_len = 16 needs at least 17");
        var fraction = double.Parse(System.Text.RegularExpressions.Regex.Match(stderr, @"use a data\.val_fraction of at least ([0-9.]+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Floor(length * fraction) >= 17, $"{fraction} of {length} characters holds out fewer than 17");
        Assert.True(Math.Floor(length * fraction * 0.99) < 17, $"{fraction} is far more than needed");
    }

    [Fact]
    public void A_corpus_whose_sha256_differs_is_refused_naming_both_hashes()
    {
        var expected = new string('0', 64);
        var actual = Core.Data.FileHash.Sha256(_dir.File("corpus.txt"));
        TrainFails(new TinyTrial { Sha256 = expected }, $"has sha256 {actual}, but data.sha256 is {expected}");
    }

    [Fact]
    public void A_probe_with_characters_outside_the_vocabulary_names_them()
    {
        TrainFails(new TinyTrial { Probe = "qwz" }, "probe.text \"qwz\" has characters the model's vocabulary lacks: 'q', 'w', 'z'");
    }

    [Fact]
    public void A_sample_prime_outside_the_vocabulary_fails_training_before_it_starts()
    {
        TrainFails(new TinyTrial { Prime = "Bob" }, "sample.prime \"Bob\" has characters the model's vocabulary lacks: 'B', 'b'");
    }

    [Fact]
    public void Unknown_or_mistyped_config_fields_are_listed_with_file_line_and_column_and_no_trial_is_created()
    {
        File.WriteAllText(_dir.File("typo.yaml"), """
            data: { path: corpus.txt, seq_len: 16 }
            model: { cell: gru, hiden: 32 }
            train: { epochs: two }
            """);
        var before = StoreDump.Of(Db);

        var run = RunnerCli.Run(_dir.Path, "train", "--config", "typo.yaml", "--db", "results/o.db");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("typo.yaml:2:", run.StdErr);
        Assert.Contains("model.hiden: unknown key", run.StdErr);
        Assert.Contains("hidden", run.StdErr);
        Assert.Contains("typo.yaml:3:", run.StdErr);
        Assert.Contains("train.epochs: must be a whole number, got 'two'", run.StdErr);
        Assert.Equal(before, StoreDump.Of(Db));
    }

    [Fact]
    public void Non_positive_sizes_in_a_trial_file_are_refused_naming_each_field()
    {
        File.WriteAllText(_dir.File("sizes.yaml"), new TinyTrial { Hidden = 0, BatchSize = -4 }.ToYaml());
        var before = StoreDump.Of(Db);

        var run = RunnerCli.Run(_dir.Path, "train", "--config", "sizes.yaml", "--db", "results/o.db");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("model.hidden: must be greater than 0, got 0", run.StdErr);
        Assert.Contains("train.batch_size: must be greater than 0, got -4", run.StdErr);
        Assert.Equal(before, StoreDump.Of(Db));
    }

    [Fact]
    public void Non_positive_sizes_in_a_stored_trial_fail_that_trial_with_the_field_named()
    {
        var config = new TrialConfig { Data = new DataConfig { Path = "corpus.txt", SeqLen = 0 }, Model = new ModelConfig { Hidden = 16, Embedding = 8 } };
        var trials = new TrialRepository(Database.Open(Db));
        trials.Ensure(config.Id(), config.ToCanonicalJson());
        var before = StoreDump.Of(Db, exceptTrial: config.Id());

        var run = RunnerCli.Run(_dir.Path, "train", "--db", "results/o.db", "--trial", config.Id(), "--threads", "1");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("data.seq_len: must be greater than 0, got 0", run.StdErr);
        var row = trials.Get(config.Id())!;
        Assert.Equal((TrialStates.Failed, 2), (row.State, row.ExitCode));
        Assert.Contains("data.seq_len: must be greater than 0, got 0", row.Failure);
        Assert.Equal(before, StoreDump.Of(Db, exceptTrial: config.Id()));
    }

    [Fact]
    public void Sampling_with_a_prime_outside_the_vocabulary_names_the_characters_and_records_nothing()
    {
        var before = StoreDump.Of(Db);

        var run = RunnerCli.Run(_dir.Path, "sample", "--db", "results/o.db", "--trial", _reference.TrialId, "--prime", "Quebec!", "--length", "20");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the sample prime \"Quebec!\" has characters the model's vocabulary lacks: 'Q', 'b', '!'", run.StdErr);
        Assert.Equal(before, StoreDump.Of(Db));
    }

    [Fact]
    public void Sampling_from_a_truncated_checkpoint_is_refused_and_records_nothing()
    {
        var row = new ResultRepository(Database.Open(Db)).Checkpoints(_reference.TrialId).Single(c => c.Name == "ckpt_2");
        var path = Path.Combine(_dir.File("results"), row.Path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var before = StoreDump.Of(Db);

        var run = RunnerCli.Run(_dir.Path, "sample", "--db", "results/o.db", "--trial", _reference.TrialId, "--checkpoint", "ckpt_2");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"checkpoint ckpt_2 of trial {_reference.TrialId} cannot be used: its file {path} has sha256", run.StdErr);
        Assert.Contains("truncated or altered", run.StdErr);
        Assert.Equal("", run.StdOut);
        Assert.Equal(before, StoreDump.Of(Db));
    }

    [Fact]
    public void Sampling_a_checkpoint_that_does_not_exist_lists_the_ones_that_do()
    {
        var run = RunnerCli.Run(_dir.Path, "sample", "--db", "results/o.db", "--trial", _reference.TrialId, "--checkpoint", "ckpt_9");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"trial {_reference.TrialId} has no checkpoint 'ckpt_9'; it has ckpt_2, ckpt_1", run.StdErr);
    }

    [Fact]
    public void Bad_command_lines_get_exit_2_and_the_usage()
    {
        var unknown = RunnerCli.Run(_dir.Path, "train", "--db", "results/o.db", "--trail", "x");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown option --trail", unknown.StdErr);
        Assert.Contains("usage:", unknown.StdErr);

        var both = RunnerCli.Run(_dir.Path, "train", "--db", "results/o.db", "--trial", "x", "--config", "trial.yaml");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("either --trial ID", both.StdErr);

        var missing = RunnerCli.Run(_dir.Path, "train", "--db", "results/o.db", "--trial", "nope");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no trial 'nope'", missing.StdErr);

        var device = RunnerCli.Run(_dir.Path, "train", "--db", "results/o.db", "--trial", _reference.TrialId, "--device", "tpu");
        Assert.Equal(2, device.ExitCode);
        Assert.Contains("--device must be one of auto, cpu, cuda, got 'tpu'", device.StdErr);
    }
}
