using System.Text.Json;
using Core.Data;
using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>`runner train` as the orchestrator and a user run it: what it prints, what it records, how it ends.</summary>
[Collection(RunnerProcesses.Name)]
public sealed class TrainCommandTests(ReferenceRun reference) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private readonly TempDir _dir = new("runner-train");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void A_standalone_run_prints_the_progress_contract_and_records_metrics_checkpoints_probes_sample_and_architecture()
    {
        var events = RunnerCli.Progress(reference.Result.StdOut);
        Assert.Equal("start", Kind(events[0]));
        Assert.Equal("done", Kind(events[^1]));
        Assert.Equal(
            ["start", "step", "epoch", "checkpoint", "step", "epoch", "checkpoint", "done"],
            events.Select(Kind).Where((k, i) => i == 0 || k != Kind(events[i - 1])));
        var start = events[0];
        Assert.Equal(("cpu", 2, 0L), (start.GetProperty("device").GetString(), start.GetProperty("epochs").GetInt32(), start.GetProperty("resumed_step").GetInt64()));
        var stepsPerEpoch = start.GetProperty("steps_per_epoch").GetInt32();
        Assert.Equal((ReferenceRun.CorpusChars - ReferenceRun.CorpusChars / 10 - 1) / 16 / 8 + 1, stepsPerEpoch); // ceil(windows / batch)
        Assert.All(events.Where(e => Kind(e) == "step"), e =>
        {
            Assert.Equal(0, e.GetProperty("step").GetInt64() % 10);
            Assert.Equal((int)((e.GetProperty("step").GetInt64() - 1) / stepsPerEpoch) + 1, e.GetProperty("epoch").GetInt32());
        });

        var db = Database.Open(reference.DbPath);
        var trial = new TrialRepository(db).Get(reference.TrialId)!;
        var config = SpecLoader.LoadTrial(reference.Dir.File("trial.yaml"));
        Assert.Equal(config.Id(), reference.TrialId);
        Assert.Equal((TrialStates.Completed, 0, 2, 2L * stepsPerEpoch, "cpu"), (trial.State, trial.ExitCode, trial.Epoch, trial.Step, trial.Device));

        var results = new ResultRepository(db);
        var valLoss = results.Metrics(reference.TrialId, MetricNames.ValLoss);
        Assert.Equal([(stepsPerEpoch, 1), (2 * stepsPerEpoch, 2)], valLoss.Select(m => ((int)m.Step, m.Epoch!.Value)));
        Assert.True(valLoss[1].Value < valLoss[0].Value, "the validation loss falls from epoch 1 to 2");
        foreach (var name in new[] { MetricNames.EpochTrainLoss, MetricNames.TrainError, MetricNames.ValError, MetricNames.CharsPerSec, MetricNames.EpochSeconds })
            Assert.Equal(2, results.Metrics(reference.TrialId, name).Count(m => m.Epoch is 1 or 2 && double.IsFinite(m.Value)));
        var trainLoss = results.Metrics(reference.TrialId, MetricNames.TrainLoss);
        Assert.Equal(2 * stepsPerEpoch / 10, trainLoss.Count);
        Assert.All(trainLoss, m => Assert.Null(m.Epoch));

        var checkpoints = results.Checkpoints(reference.TrialId);
        Assert.Equal(["ckpt_2", "ckpt_1"], checkpoints.Select(c => c.Name));
        Assert.All(checkpoints, c =>
        {
            Assert.StartsWith($"checkpoints/{reference.TrialId}/", c.Path);
            Assert.Equal(c.Sha256, FileHash.Sha256(db.Resolve(c.Path)));
        });
        Assert.Empty(Directory.GetFiles(reference.Dir.File($"results/checkpoints/{reference.TrialId}"), "*.tmp"));

        var probes = results.Probes(reference.TrialId);
        Assert.Equal([("ckpt_1", 1), ("ckpt_2", 2)], probes.Select(p => (p.Checkpoint, p.Epoch)));
        Assert.All(probes, p =>
        {
            var top = JsonDocument.Parse(p.TopJson).RootElement.EnumerateArray().ToList();
            Assert.Equal(5, top.Count);
            Assert.Equal(p.Predicted, top[0].GetProperty("char").GetString());
            Assert.True(top.Zip(top.Skip(1)).All(t => t.First.GetProperty("p").GetDouble() >= t.Second.GetProperty("p").GetDouble()));
        });

        var sample = results.Samples(reference.TrialId).Single();
        Assert.Equal(("ckpt_2", "JULIET", 80), (sample.Checkpoint, sample.Prime, sample.Length));
        Assert.StartsWith("JULIET", sample.Text);
        Assert.Equal(6 + 80, sample.Text.Length);

        var architecture = results.Architecture(reference.TrialId);
        Assert.Equal(["embedding", "gru", "dense"], architecture.Select(a => a.Layer));
        Assert.Equal(["(8, None, 8)", "(8, None, 32)", $"(8, None, {trial.VocabSize})"], architecture.Select(a => a.OutputShape));
        Assert.Equal(trial.Params, architecture.Sum(a => a.Params));
        Assert.Equal(trial.VocabSize, Corpora.Generate(ReferenceRun.CorpusChars).Distinct().Count());
    }

    [Fact]
    public void Run_by_an_orchestrator_it_trains_the_claimed_trial_under_the_given_owner_and_completes_it()
    {
        ReferenceRun.Prepare(_dir.Path, new TinyTrial { Epochs = 1, MaxSteps = 20 });
        var config = SpecLoader.LoadTrial(_dir.File("trial.yaml"));
        var db = Database.Open(_dir.File("results/o.db"));
        var trials = new TrialRepository(db);
        trials.Ensure(config.Id(), config.ToCanonicalJson());
        Assert.NotNull(trials.ClaimTrial(config.Id(), "orchestrator-1", TimeSpan.FromSeconds(30)));

        var stranger = RunnerCli.Run(_dir.Path, "train", "--db", db.Path, "--trial", config.Id(), "--owner", "someone-else", "--threads", "1");
        Assert.Equal(5, stranger.ExitCode);
        Assert.Contains("not running under owner someone-else", stranger.StdErr);
        Assert.Equal("orchestrator-1", trials.Get(config.Id())!.Owner);

        var run = RunnerCli.Run(_dir.Path, "train", "--db", db.Path, "--trial", config.Id(), "--owner", "orchestrator-1", "--lease-seconds", "30", "--threads", "1", "--device", "auto");
        Assert.True(run.ExitCode == 0, run.ToString());
        var trial = trials.Get(config.Id())!;
        Assert.Equal((TrialStates.Completed, 1, 20L, (string?)null), (trial.State, trial.Attempt, trial.Step, trial.Owner));
        Assert.Equal(["ckpt_1"], new ResultRepository(db).Checkpoints(config.Id()).Select(c => c.Name));
    }

    [Fact]
    public void When_the_lease_is_taken_away_the_runner_stops_with_exit_5_and_marks_nothing()
    {
        ReferenceRun.Prepare(_dir.Path, new TinyTrial { Epochs = 50 });
        var config = SpecLoader.LoadTrial(_dir.File("trial.yaml"));
        var db = Database.Open(_dir.File("results/o.db"));
        var trials = new TrialRepository(db);
        trials.Ensure(config.Id(), config.ToCanonicalJson());
        trials.ClaimTrial(config.Id(), "orchestrator-1", TimeSpan.FromSeconds(3));

        using var run = RunnerCli.Start(_dir.Path, "train", "--db", db.Path, "--trial", config.Id(), "--owner", "orchestrator-1", "--lease-seconds", "3", "--threads", "1");
        run.WaitForEvent(e => Kind(e) == "step", Wait);
        Assert.True(trials.Release(config.Id(), "orchestrator-1", null, "taken back by the test"));
        var result = run.WaitForExit(Wait);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains($"lease lost: trial {config.Id()} is no longer running under owner orchestrator-1", result.StdErr); // the heartbeat noticed
        Assert.DoesNotContain(new ResultRepository(db).Checkpoints(config.Id()), c => c.Name == "ckpt_50"); // and training stopped early
        var trial = trials.Get(config.Id())!;
        Assert.Equal((TrialStates.Pending, "taken back by the test"), (trial.State, trial.Failure));
    }

    [Fact]
    public void When_its_owner_dies_and_the_pipe_to_its_stdin_closes_the_runner_checkpoints_puts_the_trial_back_to_pending_and_exits_4()
    {
        ReferenceRun.Prepare(_dir.Path, new TinyTrial { Epochs = 50 });
        var config = SpecLoader.LoadTrial(_dir.File("trial.yaml"));
        var db = Database.Open(_dir.File("results/o.db"));
        var trials = new TrialRepository(db);
        trials.Ensure(config.Id(), config.ToCanonicalJson());
        trials.ClaimTrial(config.Id(), "orchestrator-1", TimeSpan.FromSeconds(30));

        using var run = RunnerCli.Start(_dir.Path, "train", "--db", db.Path, "--trial", config.Id(), "--owner", "orchestrator-1", "--lease-seconds", "30", "--threads", "1");
        var step = run.WaitForEvent(e => Kind(e) == "step", Wait).GetProperty("step").GetInt64();
        run.CloseStdin();
        var result = run.WaitForExit(Wait);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("runner: the owner is gone (its pipe to this Runner's stdin closed): finishing the current step, then writing a checkpoint", result.StdErr);
        var trial = trials.Get(config.Id())!;
        var checkpoint = new ResultRepository(db).Checkpoints(config.Id())[0]; // newest first
        Assert.Equal((TrialStates.Pending, (string?)null, $"interrupted at step {checkpoint.Step}"), (trial.State, trial.Owner, trial.Failure));
        // The stop's own checkpoint, where the trial stands, long before its 50 epochs end.
        Assert.Equal(($"step_{checkpoint.Step}", checkpoint.Step), (checkpoint.Name, trial.Step));
        Assert.True(checkpoint.Step >= step, $"checkpoint at step {checkpoint.Step}, before the step event {step} it had passed");
        Assert.DoesNotContain(new ResultRepository(db).Checkpoints(config.Id()), c => c.Name == "ckpt_50");
        Assert.Equal("interrupted", trials.Attempts(config.Id()).Single().Outcome);
    }

    [Fact]
    public void A_loss_that_becomes_infinite_fails_the_trial_as_diverged_with_exit_3()
    {
        ReferenceRun.Prepare(_dir.Path, new TinyTrial { Lr = 1e37 });
        var run = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("diverged at step 2", run.StdErr);
        var db = Database.Open(_dir.File("results/o.db"));
        var trial = new TrialRepository(db).Get(SpecLoader.LoadTrial(_dir.File("trial.yaml")).Id())!;
        Assert.Equal((TrialStates.Failed, 3, "diverged at step 2"), (trial.State, trial.ExitCode, trial.Failure));
        Assert.Empty(new ResultRepository(db).Checkpoints(trial.TrialId));
    }

    [Fact]
    public void Every_timestamp_a_trial_leaves_in_the_store_and_in_its_checkpoints_has_the_one_format()
    {
        StoreDump.CopyFolder(reference.Dir.Path, _dir.Path);
        var sampled = RunnerCli.Run(_dir.Path, "sample", "--db", "results/o.db", "--trial", reference.TrialId, "--checkpoint", "ckpt_1", "--length", "5");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        var db = _dir.File("results/o.db");

        var stamps = new List<(string Where, string? Value)>();
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            c.Open();
            foreach (var (table, column) in new[] { ("trials", "created_at"), ("trials", "started_at"), ("trials", "finished_at"), ("attempts", "started_at"),
                                                     ("attempts", "ended_at"), ("checkpoints", "created_at"), ("samples", "created_at") })
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"SELECT {column} FROM {table} WHERE trial_id = '{reference.TrialId}'";
                using var r = cmd.ExecuteReader();
                while (r.Read()) stamps.Add(($"{table}.{column}", r.IsDBNull(0) ? null : r.GetString(0)));
            }
        }
        foreach (var row in new ResultRepository(Database.Open(db)).Checkpoints(reference.TrialId))
            stamps.Add(($"{row.Name}.ckpt", Runner.Checkpoints.CheckpointFile.Read(Path.Combine(_dir.File("results"), row.Path)).Meta.CreatedAt));

        Assert.Equal(2, stamps.Count(s => s.Where == "samples.created_at"));
        Assert.All(stamps, s => Assert.True(
            DateTime.TryParseExact(s.Value, Timestamps.Format, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _),
            $"{s.Where} is '{s.Value}', not {Timestamps.Format}"));
    }

    [Fact]
    public void A_completed_trial_run_again_does_nothing_and_says_so()
    {
        var before = StoreDump.Of(reference.DbPath);
        var run = RunnerCli.Run(reference.Dir.Path, ReferenceRun.TrainArgs());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("already completed", run.StdErr);
        Assert.Equal(before, StoreDump.Of(reference.DbPath));
    }

    [Fact]
    public void The_runner_downloads_a_missing_corpus_from_data_url_and_verifies_it()
    {
        var corpus = Corpora.Generate(ReferenceRun.CorpusChars);
        using var server = new LocalHttpServer(_ => (200, System.Text.Encoding.UTF8.GetBytes(corpus)));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(corpus)));
        File.WriteAllText(_dir.File("trial.yaml"), new TinyTrial { CorpusPath = "data/corpus.txt", Url = server.Url + "corpus.txt", Sha256 = sha, Epochs = 1, MaxSteps = 5 }.ToYaml());

        var run = RunnerCli.Run(_dir.Path, ReferenceRun.TrainArgs());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"downloading {server.Url}corpus.txt", run.StdErr);
        Assert.Equal(corpus, File.ReadAllText(_dir.File("data/corpus.txt")));
    }

    private static string Kind(JsonElement e) => e.GetProperty("event").GetString()!;
}
