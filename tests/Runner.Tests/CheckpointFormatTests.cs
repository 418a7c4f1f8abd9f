using Core.Data;
using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Checkpoints;
using Runner.Data;
using Runner.Model;
using Runner.Progress;
using Runner.Tests.Support;
using Runner.Training;
using TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Tests;

/// <summary>
/// Checkpoint files of format 1 (written before a checkpoint's metadata held a <see cref="Position"/>)
/// are still read. The fixture is a real one: <c>step_40</c> of a tiny GRU (2 epochs of 30 steps,
/// a checkpoint every 20), written mid-epoch 2 by the Runner of that time from <c>Fixtures/format1/trial.yaml</c>.
/// </summary>
[Collection(InProcessTraining.Name)]
public sealed class CheckpointFormatTests : IDisposable
{
    private const string TrialId = "92be2daabafa";
    private static readonly string FormatOneFile = Path.Combine(AppContext.BaseDirectory, "Fixtures", "format1", "step_40.ckpt");
    private readonly TempDir _dir = new("runner-ckpt-format");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void A_format_1_checkpoint_reads_with_its_position_and_rewritten_in_format_2_reads_back_the_same()
    {
        var old = CheckpointFile.Read(FormatOneFile);

        Assert.Equal(1, FormatOf(FormatOneFile));
        Assert.Equal((TrialId, "step_40", "cpu"), (old.Meta.TrialId, old.Meta.Name, old.Meta.Device));
        var partial = new EpochStats { LossSum = 18.242766618728638, Steps = 10, Correct = 608, Chars = 1280, TrainSeconds = 0.025841099999999995, Seconds = 0.0261118 };
        Assert.Equal(new Position(1, 40, 10, partial), old.Meta.Position);

        var rewritten = RewriteInFormat2(old, _dir.File("step_40.ckpt"));
        Assert.Equal(2, FormatOf(rewritten));
        Assert.Equal(old.Meta, CheckpointFile.Read(rewritten).Meta);
    }

    [Fact]
    public void Training_resumes_from_a_format_1_checkpoint_exactly_as_from_the_same_state_in_format_2()
    {
        var formatOne = Prepare("one", FormatOneFile);
        var formatTwo = Prepare("two", RewriteInFormat2(CheckpointFile.Read(FormatOneFile), _dir.File("step_40.ckpt")));

        var runs = new[] { formatOne, formatTwo }.Select(folder =>
            RunnerCli.Run(folder, "train", "--db", "results/o.db", "--trial", TrialId, "--threads", "1", "--lease-seconds", "2", "--flush-seconds", "0")).ToList();

        Assert.All(runs, run =>
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"resuming trial {TrialId} from step_40 (epoch 1, step 40)", run.StdErr);
            Assert.Equal(40, RunnerCli.Progress(run.StdOut).First(e => e.GetProperty("event").GetString() == "start").GetProperty("resumed_step").GetInt64());
        });
        string Db(string folder) => Path.Combine(folder, "results", "o.db");
        Assert.Equal(ReferenceRun.EpochMetrics(Db(formatTwo), TrialId), ReferenceRun.EpochMetrics(Db(formatOne), TrialId));
        Assert.Equal(ReferenceRun.TrainLoss(Db(formatTwo), TrialId), ReferenceRun.TrainLoss(Db(formatOne), TrialId));
        Assert.Equal(new ResultRepository(Database.Open(Db(formatTwo))).Samples(TrialId).Single().Text,
                     new ResultRepository(Database.Open(Db(formatOne))).Samples(TrialId).Single().Text);
    }

    /// <summary>A results folder holding the fixture's trial (its config from the checkpoint), the corpus and <paramref name="checkpoint"/> recorded as its step_40.</summary>
    private string Prepare(string name, string checkpoint)
    {
        var folder = _dir.File(name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "corpus.txt"), Corpora.Generate(ReferenceRun.CorpusChars));
        var meta = CheckpointFile.Read(checkpoint).Meta;
        var db = Database.Open(Path.Combine(folder, "results", "o.db"));
        new TrialRepository(db).Ensure(TrialId, meta.ConfigJson);
        var path = Path.Combine(new CheckpointStore(db).FolderOf(TrialId), "step_40.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(checkpoint, path);
        new ResultRepository(db).RecordCheckpoint(new CheckpointRow
        {
            TrialId = TrialId, Name = "step_40", Epoch = 1, Step = 40, Path = db.Relativize(path),
            Sha256 = FileHash.Sha256(path), Bytes = new FileInfo(path).Length, CreatedAt = Timestamps.Now(),
        });
        return folder;
    }

    /// <summary>Loads a checkpoint into a model, Adam and torch's RNG, and writes them back in the current format.</summary>
    private static string RewriteInFormat2(CheckpointFile file, string path)
    {
        var config = Core.Config.TrialConfig.FromJson(file.Meta.ConfigJson);
        using var model = new CharRnn(config.Model, new Vocabulary(file.Meta.Vocab).Size);
        using var optimizer = ResumeOrder.Apply(model, file, CPU, config.Train.Lr);
        using var stream = File.Create(path);
        CheckpointFile.Write(stream, file.Meta, model, optimizer);
        return path;
    }

    private static int FormatOf(string path) => BitConverter.ToInt32(File.ReadAllBytes(path), 8);
}
