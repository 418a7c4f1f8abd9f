using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>`runner sample`: text from a verified checkpoint, printed and recorded.</summary>
[Collection(RunnerProcesses.Name)]
public sealed class SampleCommandTests : IDisposable
{
    private readonly ReferenceRun _reference;
    private readonly TempDir _dir = new("runner-sample");

    public SampleCommandTests(ReferenceRun reference)
    {
        _reference = reference;
        StoreDump.CopyFolder(reference.Dir.Path, _dir.Path);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private ProcessResult Sample(params string[] args) =>
        RunnerCli.Run(_dir.Path, ["sample", "--db", "results/o.db", "--trial", _reference.TrialId, "--threads", "1", .. args]);

    [Fact]
    public void Sampling_the_final_checkpoint_with_the_trial_settings_reproduces_the_sample_recorded_after_training()
    {
        var results = new ResultRepository(Database.Open(_dir.File("results/o.db")));
        var recorded = results.Samples(_reference.TrialId).Single();

        var run = Sample("--checkpoint", "ckpt_2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(recorded.Text + "\n", run.StdOut);
        Assert.Single(results.Samples(_reference.TrialId));
    }

    [Fact]
    public void Options_choose_checkpoint_prime_length_temperature_top_k_and_seed_and_each_sample_is_recorded()
    {
        var first = Sample("--checkpoint", "ckpt_1", "--prime", "ROMEO", "--length", "40", "--temperature", "0.5", "--top-k", "3", "--seed", "7");
        var again = Sample("--checkpoint", "ckpt_1", "--prime", "ROMEO", "--length", "40", "--temperature", "0.5", "--top-k", "3", "--seed", "7");
        var otherSeed = Sample("--checkpoint", "ckpt_1", "--prime", "ROMEO", "--length", "40", "--temperature", "0.5", "--top-k", "3", "--seed", "8");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith("ROMEO", first.StdOut);
        Assert.Equal(5 + 40 + 1, first.StdOut.Length);
        Assert.Equal(first.StdOut, again.StdOut);
        Assert.NotEqual(first.StdOut, otherSeed.StdOut);

        var samples = new ResultRepository(Database.Open(_dir.File("results/o.db"))).Samples(_reference.TrialId);
        Assert.Equal(3, samples.Count); // the training sample, seed 7 (once: the same key overwrites), seed 8
        Assert.Contains(samples, s => (s.Checkpoint, s.Prime, s.Length, s.Temperature, s.TopK, s.Seed) == ("ckpt_1", "ROMEO", 40, 0.5, 3, 7L) && s.Text + "\n" == first.StdOut);
    }

    [Fact]
    public void Without_a_checkpoint_name_the_newest_that_verifies_is_used()
    {
        var row = new ResultRepository(Database.Open(_dir.File("results/o.db"))).Checkpoints(_reference.TrialId).Single(c => c.Name == "ckpt_2");
        File.Delete(Path.Combine(_dir.File("results"), row.Path));

        var run = Sample("--length", "10");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("skipping checkpoint ckpt_2", run.StdErr);
        Assert.Contains("sampled 10 characters from ckpt_1", run.StdErr);
    }
}
