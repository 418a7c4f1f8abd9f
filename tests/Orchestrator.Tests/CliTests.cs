using TestSupport;

namespace Orchestrator.Tests;

/// <summary>The command line itself: help everywhere, exit codes for bad input, nothing recorded on a bad spec.</summary>
public sealed class CliTests
{
    [Theory]
    [InlineData("run", "<SPEC>", "--dry-run")]
    [InlineData("status", "[SWEEP]", "--json")]
    [InlineData("query", "<SQL>", "--format")]
    [InlineData("sample", "--trial", "--temperature")]
    [InlineData("report", "[SWEEPS]", "--format")]
    [InlineData("cancel", "<SWEEP>", "--db")]
    [InlineData("worker", "--sweep", "--parallel")]
    public void Every_command_has_help_with_the_store_options(string command, string argument, string option)
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, command, "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"orchestrator {command}", r.StdOut);
        foreach (var expected in new[] { argument, option })
            Assert.Contains(expected, r.StdOut);
        // The options every command shares: two short lines that point to the one place telling the rest.
        var words = string.Join(' ', r.StdOut.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--results <DIR> Results folder. Default: results/ ", words);
        Assert.Contains("--db <PATH|URL> The database: a SQLite file or a postgresql:// URL. Default: <results>/orchestrator.db. Both options: docs/orchestrator.md#commands", words);
    }

    [Fact]
    public void Version_prints_the_version_and_the_commit_it_was_built_from()
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, "--version");
        Assert.True(r.ExitCode == 0, r.ToString());
        var match = System.Text.RegularExpressions.Regex.Match(r.StdOut, @"^\d+\.\d+\.\d+\+(?<commit>[0-9a-f]{40})\n$");
        Assert.True(match.Success, r.ToString());
        // A commit of this repository.
        var git = ChildProcess.Run(new System.Diagnostics.ProcessStartInfo("git", ["-C", RepoPaths.Root, "cat-file", "-t", match.Groups["commit"].Value])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        }, TimeSpan.FromSeconds(30));
        Assert.Equal("commit\n", git.StdOut);
    }

    [Fact]
    public void Top_level_help_lists_the_commands()
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var command in new[] { "run", "status", "query", "sample", "report", "export", "cancel", "worker" }) Assert.Contains(command, r.StdOut);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("run", "x.yaml", "--no-such-option")]
    [InlineData("run", "x.yaml", "--parallel", "0")]
    [InlineData("run", "x.yaml", "--executor", "kubernetes")]
    [InlineData("worker")]
    [InlineData("cancel")]
    [InlineData("run")]
    [InlineData("query", "SELECT 1", "--format", "xml")]
    [InlineData("sample")]
    public void Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.False(string.IsNullOrWhiteSpace(r.StdErr), r.ToString());
    }

    [Theory]
    [InlineData("--length must be a whole number, got 'abc'", "sample", "--trial", "x", "--length", "abc")]
    [InlineData("--temperature must be a number, got 'hot'", "sample", "--trial", "x", "--temperature=hot")]
    [InlineData("--top-k must be a whole number from -2147483648 to 2147483647, got '99999999999'", "sample", "--trial", "x", "--top-k", "99999999999")]
    [InlineData("--parallel must be a whole number, got 'two'", "run", "x.yaml", "--parallel", "two")]
    [InlineData("--length must be at most 100000, got 100000000: each character is one step of the model", "sample", "--trial", "x", "--length", "100000000")]
    [InlineData("--retry-delay must be a number, got '1s'", "run", "x.yaml", "--retry-delay", "1s")]
    public void An_option_value_of_the_wrong_kind_says_what_the_option_expects(string expected, params string[] args)
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"error: {expected}", r.StdErr);
        Assert.DoesNotContain("Nullable", r.StdErr);
    }

    [Fact]
    public void A_folder_given_as_the_spec_is_called_a_folder_with_the_specs_in_it()
    {
        using var dir = new TempDir();
        dir.Write("experiments/quick.yaml", "name: quick\n");
        var r = OrchestratorCli.Run(dir.Path, "run", "experiments");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("experiments: file: is a folder; give a spec file (YAML), e.g. experiments/quick.yaml", r.StdErr);
        Assert.DoesNotContain("not found", r.StdErr);
    }

    [Fact]
    public void A_sweep_name_too_long_for_a_report_folder_is_refused_at_the_spec()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, new string('x', 5000), ["model.hidden: [16]"]);
        var r = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"{spec}:1:7: name: is 5000 characters long; use at most 100 (it names the report folder)", r.StdErr);
        Assert.True(r.StdErr.Length < 2000, "the message should not repeat the name");
        Assert.False(Directory.Exists(dir.File("results")), "a bad spec must not create the results folder");
    }

    [Fact]
    public void A_spec_with_problems_lists_each_with_its_location_and_records_nothing()
    {
        using var dir = new TempDir();
        var spec = dir.Write("bad.yaml", """
            name: bad
            model:
              hiden: 32
            train:
              epochs: zero
            grid:
              model.cel: [gru, lstm]
            """);
        var r = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"{spec}:3:3: model.hiden: unknown key; did you mean 'hidden'?", r.StdErr);
        Assert.Contains($"{spec}:5:11: train.epochs: must be a whole number, got 'zero'", r.StdErr);
        Assert.Contains($"{spec}:7:3: grid.model.cel: names no parameter", r.StdErr);
        Assert.False(Directory.Exists(dir.File("results")), "a bad spec must not create the results folder");
    }

    [Fact]
    public void A_missing_spec_file_is_bad_input()
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, "run", "nowhere.yaml");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("nowhere.yaml", r.StdErr);
        Assert.Contains("not found", r.StdErr);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("query", "SELECT 1")]
    [InlineData("sample", "--trial", "abc")]
    [InlineData("report")]
    public void Commands_that_read_say_when_there_is_no_database(params string[] args)
    {
        using var dir = new TempDir();
        var r = OrchestratorCli.Run(dir.Path, args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("no results database", r.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")), "reading commands must not create a database");
    }
}

/// <summary>A corpus that cannot be found stops `run` before any Runner starts, instead of failing every trial.</summary>
public sealed class CorpusCheckTests
{
    [Fact]
    public void A_missing_corpus_stops_the_run_before_any_trial_starts()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "nocorpus", ["model.hidden: [16, 24]"]);
        File.Delete(dir.File("corpus.txt"));

        var r = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"the corpus {dir.File("corpus.txt")} does not exist", r.StdErr);
        Assert.Contains("nothing was run", r.StdErr);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));
        Assert.All(store.Trials("nocorpus"), t => Assert.Equal((Core.Store.TrialStates.Pending, 0), (t.State, t.Attempt)));
        Assert.Empty(store.Query<string>("SELECT trial_id FROM attempts"));
    }

    [Fact]
    public void A_folder_given_as_the_corpus_is_called_a_folder_with_the_files_in_it()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "corpusdir", ["model.hidden: [16]"]);
        Directory.CreateDirectory(dir.File("data"));
        File.Move(dir.File("corpus.txt"), dir.File("data/tiny.txt"));
        File.WriteAllText(spec, File.ReadAllText(spec).Replace(dir.File("corpus.txt"), dir.File("data"), StringComparison.Ordinal));

        var r = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"data.path {dir.File("data")} is a folder; set data.path to the corpus file itself, e.g. {dir.File("data/tiny.txt")}", r.StdErr);
        Assert.Contains("nothing was run", r.StdErr);
        Assert.DoesNotContain("does not exist", r.StdErr);
    }
}
