using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>One short run on the real Shakespeare corpus, the way a user starts it.</summary>
public sealed class RealCorpusTests : IDisposable
{
    private readonly TempDir _dir = new("runner-real");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [NeedsShakespeareFact]
    public void A_tiny_GRU_trains_a_few_steps_on_tiny_shakespeare_and_records_probe_and_JULIET_sample()
    {
        var corpus = RepoPaths.Shakespeare;

        File.WriteAllText(_dir.File("trial.yaml"), new TinyTrial
        {
            CorpusPath = corpus!, Sha256 = RepoPaths.ShakespeareSha256, SeqLen = 32, Embedding = 16, Hidden = 32, BatchSize = 16,
            Epochs = 1, MaxSteps = 30, ValBatches = 5, SampleLength = 50,
        }.ToYaml());

        var run = RunnerCli.Run(_dir.Path, "train", "--config", "trial.yaml", "--db", "results/o.db", "--threads", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var db = Database.Open(_dir.File("results/o.db"));
        var trialId = RunnerCli.Progress(run.StdOut)[0].GetProperty("trial").GetString()!;
        var trial = new TrialRepository(db).Get(trialId)!;
        Assert.Equal((TrialStates.Completed, 65, 30L), (trial.State, trial.VocabSize, trial.Step));
        var results = new ResultRepository(db);
        Assert.Equal("peo", results.Probes(trialId).Single().Input);
        Assert.StartsWith("JULIET", results.Samples(trialId).Single().Text);
        Assert.True(results.Metrics(trialId, MetricNames.ValLoss).Single().Value < Math.Log(65), "better than guessing uniformly");
    }
}

/// <summary>A fact that is skipped, saying why, when the real corpus is not on this machine.</summary>
public sealed class NeedsShakespeareFactAttribute : FactAttribute
{
    public NeedsShakespeareFactAttribute()
    {
        if (RepoPaths.Shakespeare is null)
            Skip = "the real corpus is absent: put tinyshakespeare.txt under data/ (see README, \"The corpus\") to run this test";
    }
}
