using System.Text.Json;
using Core.Store;
using Microsoft.Data.Sqlite;
using TestSupport;

namespace Runner.Tests.Support;

/// <summary>
/// Run A of the resume test, shared by the tests that compare against it or need a trained trial:
/// a tiny GRU trained for 2 epochs, uninterrupted, standalone (<c>train --config</c>), one thread.
/// </summary>
public sealed class ReferenceRun : IDisposable
{
    public static readonly TinyTrial Trial = new() { Epochs = 2, LogEvery = 10 };
    public const int CorpusChars = 60_000;

    public ReferenceRun()
    {
        Dir = new TempDir("runner-ref");
        Prepare(Dir.Path);
        Result = RunnerCli.Run(Dir.Path, TrainArgs());
        if (Result.ExitCode != 0) throw new InvalidOperationException($"the reference run failed\n{Result}");
        TrialId = RunnerCli.Progress(Result.StdOut).First().GetProperty("trial").GetString()!;
    }

    public TempDir Dir { get; }
    public ProcessResult Result { get; }
    public string TrialId { get; }
    public string DbPath => Dir.File("results/o.db");

    /// <summary>Writes the corpus and trial file the reference run uses into <paramref name="folder"/>.</summary>
    public static void Prepare(string folder, TinyTrial? trial = null)
    {
        File.WriteAllText(Path.Combine(folder, "corpus.txt"), Corpora.Generate(CorpusChars));
        File.WriteAllText(Path.Combine(folder, "trial.yaml"), (trial ?? Trial).ToYaml());
    }

    /// <summary>The standalone train command of the reference run (short lease so a restart can reclaim quickly; metrics flushed at every log).</summary>
    public static string[] TrainArgs(params string[] extra) =>
        ["train", "--config", "trial.yaml", "--db", "results/o.db", "--threads", "1", "--lease-seconds", "2", "--flush-seconds", "0", .. extra];

    /// <summary>The per-epoch metrics that must match bit for bit: (name, step, epoch, value), timing metrics left out.</summary>
    public static IReadOnlyList<(string, long, int?, double)> EpochMetrics(string dbPath, string trialId)
    {
        string[] names = [MetricNames.EpochTrainLoss, MetricNames.TrainError, MetricNames.ValLoss, MetricNames.ValError];
        var results = new ResultRepository(Database.Open(dbPath));
        return names.SelectMany(n => results.Metrics(trialId, n)).Select(m => (m.Name, m.Step, m.Epoch, m.Value)).ToList();
    }

    public static IReadOnlyList<(long, double)> TrainLoss(string dbPath, string trialId) =>
        new ResultRepository(Database.Open(dbPath)).Metrics(trialId, MetricNames.TrainLoss).Select(m => (m.Step, m.Value)).ToList();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RunnerProcesses : ICollectionFixture<ReferenceRun>
{
    /// <summary>Tests that run the Runner as a process against the reference run; they run one after another.</summary>
    public const string Name = "runner processes";
}
