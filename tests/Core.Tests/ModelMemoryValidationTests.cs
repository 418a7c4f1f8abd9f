using Core.Config;

namespace Core.Tests;

/// <summary>A model whose parameters cannot be trained in the machine's memory is refused before any trial starts, saying how large it would be.</summary>
public sealed class ModelMemoryValidationTests
{
    private const long EightGiB = 8L << 30;

    [Fact]
    public void The_parameter_count_follows_pytorchs_layers()
    {
        // The study's GRU-1024 on Tiny Shakespeare (V = 65): 3(EH + HH + 2H) + VE + HV + V, as docs/runner.md counts it.
        Assert.Equal(3_938_304 + 65 * 256 + 1024 * 65 + 65, ModelSize.Parameters(new ModelConfig { Cell = "gru", Embedding = 256, Hidden = 1024 }, 65));
        Assert.Equal(5_251_072 + 65 * 256 + 1024 * 65 + 65, ModelSize.Parameters(new ModelConfig { Cell = "lstm", Embedding = 256, Hidden = 1024 }, 65));
        // A second layer takes the hidden state as its input: rnn E=16, H=32, V=10 → (16·32 + 32·32 + 64) + (2·32·32 + 64) + 160 + 330.
        Assert.Equal(4202, ModelSize.Parameters(new ModelConfig { Cell = "rnn", Embedding = 16, Hidden = 32, Layers = 2 }, 10));
    }

    [Fact]
    public void A_hidden_size_of_a_hundred_million_is_refused_with_its_size_against_the_machines_memory()
    {
        var config = new TrialConfig { Model = new ModelConfig { Cell = "gru", Embedding = 256, Hidden = 100_000_000 } };
        var problem = Assert.Single(TrialConfigValidator.Validate(config, EightGiB));
        Assert.Equal("model.hidden", problem.Field);
        Assert.StartsWith("a gru of 1 × 100000000 units on embedding 256 has at least 30,000,077,5", problem.Message);
        Assert.EndsWith("parameters, which need 426.3 PiB to train (16 bytes each for the weight, its gradient and Adam's two moments), " +
                        "more than this machine's 8.0 GiB of memory", problem.Message);
    }

    [Fact]
    public void The_study_fits_and_a_model_just_over_the_memory_does_not()
    {
        Assert.Empty(TrialConfigValidator.Validate(new TrialConfig { Model = new ModelConfig { Cell = "lstm", Hidden = 1024 } }, EightGiB));
        // 8 GiB / 16 bytes = 536,870,912 parameters; an LSTM of hidden 8192 on embedding 256 has 4(256·8192 + 8192² + 2·8192) ≈ 277M per layer.
        var oneLayer = new TrialConfig { Model = new ModelConfig { Cell = "lstm", Embedding = 256, Hidden = 8192, Layers = 1 } };
        Assert.Empty(TrialConfigValidator.Validate(oneLayer, EightGiB));
        var twoLayers = oneLayer with { Model = oneLayer.Model with { Layers = 2 } };
        Assert.Equal("model.hidden", Assert.Single(TrialConfigValidator.Validate(twoLayers, EightGiB)).Field);
    }

    [Fact]
    public void A_huge_embedding_is_blamed_on_the_embedding()
    {
        var config = new TrialConfig { Model = new ModelConfig { Embedding = 2_000_000_000, Hidden = 64 } };
        Assert.Equal("model.embedding", Assert.Single(TrialConfigValidator.Validate(config, EightGiB)).Field);
    }
}
