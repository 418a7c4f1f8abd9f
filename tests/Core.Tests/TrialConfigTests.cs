using Core.Config;
using Core.Spec;
using TestSupport;

namespace Core.Tests;

public sealed class TrialConfigTests
{
    [Fact]
    public void Canonical_json_round_trips_and_the_id_follows_the_content()
    {
        var config = new TrialConfig { Model = new ModelConfig { Cell = "lstm", Hidden = 512 }, Data = new DataConfig { SeqLen = 150 } };
        var json = config.ToCanonicalJson();
        Assert.Contains("\"seq_len\":150", json);
        Assert.Equal(config, TrialConfig.FromJson(json));
        Assert.Equal(12, config.Id().Length);
        Assert.NotEqual(config.Id(), (config with { Train = config.Train with { Seed = 43 } }).Id());
    }

    /// <summary>
    /// The README promises that re-running an edited spec keeps every unchanged trial: a trial's id must
    /// never change for the same config. These are the ids this code has always given (a change to the
    /// config's fields, their names, order or number format, or to how a spec becomes a config, breaks
    /// every recorded study, and this test).
    /// </summary>
    [Fact]
    public void A_config_keeps_its_id()
    {
        Assert.Equal("9037390eabba", new TrialConfig().Id());
        var everyField = new TrialConfig
        {
            Data = new DataConfig { Path = "corpus/a.txt", Url = "https://example.org/a.txt", Sha256 = new string('a', 64), ValFraction = 0.05, ValPath = "corpus/b.txt", SeqLen = 77 },
            Model = new ModelConfig { Cell = "lstm", Embedding = 48, Hidden = 96, Layers = 2, Dropout = 0.25 },
            Train = new TrainConfig { BatchSize = 16, Epochs = 7, MaxSteps = 120, Lr = 3e-4, ClipNorm = 1.5, Seed = 1234567890123, LogEvery = 3, CheckpointEvery = 40, ValBatches = 9 },
            Probe = new ProbeConfig { Text = "thou ", TopK = 3 },
            Sample = new SampleConfig { Prime = "ROMEO", Length = 321, Temperature = 0.65, TopK = 10, Seed = 99 },
        };
        Assert.Equal("c7432406b522", everyField.Id());
    }

    /// <summary>The same for the trials of the shipped specs, through the spec loader, in grid order.</summary>
    [Theory]
    [InlineData("experiments/quick.yaml", "447a9946b72a 7de6aa644bee 239852361974 01465bfbb316 e640e87f4c44 639f02233413 ad6a1d95f4af cbffcb41684e 14cf93aedaad " +
                                          "599f60637975 f9c69139c6a0 06c70c1723f1 a86edd4555cf c49432f979e0 7a4eed4d9ec3 e63c9d5fa345 03465db721ba a5eafe302e9e")]
    [InlineData("experiments/hw3.yaml", "8457aa887411 c2e9e0415d73 24c6cd73cd02 26b89b9a5169 d04bdc44359b ebbfe2a992a6 34a202ce93a7 c272e8b99931 0587ae57d98c " +
                                        "4ec57a46fa64 d8613d20f4a0 c0c4f1e66a25 c2c1efbe6ce8 e64970825287 fd9fec75350a 47d24e17a167 0b58cdad83f9 5b263fdf9ac6")]
    public void The_shipped_specs_keep_their_trial_ids(string spec, string ids) =>
        Assert.Equal(ids, string.Join(' ', SpecLoader.Load(Path.Combine(RepoPaths.Root, spec)).Trials.Select(t => t.Id)));

    [Fact]
    public void Unknown_fields_in_stored_json_are_rejected()
    {
        var json = new TrialConfig().ToCanonicalJson().Replace("\"hidden\"", "\"hiddn\"", StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => TrialConfig.FromJson(json));
    }
}
