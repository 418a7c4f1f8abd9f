using Core.Config;
using Runner.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Tests;

public sealed class ModelTests
{
    [Fact]
    public void TorchSharp_loads_in_the_test_process_and_computes()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var product = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }

    [Fact]
    public void The_seed_GRU_model_has_the_seed_table_parameter_counts()
    {
        using var model = new CharRnn(new ModelConfig { Cell = "gru", Embedding = 256, Hidden = 1024 }, vocabSize: 67);
        var rows = ArchitectureSummary.Of(model, "t", batchSize: 64);

        Assert.Equal(
            [("embedding", "Embedding", "(64, None, 256)", 17_152L), ("gru", "GRU", "(64, None, 1024)", 3_938_304L), ("dense", "Linear", "(64, None, 67)", 68_675L)],
            rows.Select(r => (r.Layer, r.Type, r.OutputShape, r.Params)));
        Assert.Equal(4_024_131, model.ParameterCount());
        Assert.Equal(15.35, Math.Round(ArchitectureSummary.Megabytes(model.ParameterCount()), 2));
        // Keras' GRU (reset_after) and PyTorch's GRU count the same: 3(EH + HH + 2H) = 3(EH + HH) + 6H.
        const long E = 256, H = 1024;
        Assert.Equal(3 * (E * H + H * H + 2 * H), rows[1].Params);
    }

    [Fact]
    public void The_LSTM_layer_counts_one_bias_vector_more_than_Keras_does()
    {
        using var model = new CharRnn(new ModelConfig { Cell = "lstm", Embedding = 256, Hidden = 1024 }, vocabSize: 67);
        var lstm = ArchitectureSummary.Of(model, "t", 64)[1];
        const long E = 256, H = 1024;
        // PyTorch's LSTM has b_ih and b_hh (8H biases); Keras' has one bias (4H): the seed's 5,246,976 + 4H.
        Assert.Equal(("lstm", "LSTM", 4 * (E * H + H * H) + 8 * H), (lstm.Layer, lstm.Type, lstm.Params));
        Assert.Equal(5_246_976 + 4 * H, lstm.Params);
    }

    [Fact]
    public void Stacked_layers_get_one_row_each_named_like_keras()
    {
        using var model = new CharRnn(new ModelConfig { Cell = "rnn", Embedding = 8, Hidden = 16, Layers = 3, Dropout = 0.2 }, vocabSize: 10);
        var rows = ArchitectureSummary.Of(model, "t", 4);
        Assert.Equal(["embedding", "rnn", "rnn_1", "rnn_2", "dense"], rows.Select(r => r.Layer));
        Assert.Equal([80L, (8 * 16 + 16 * 16 + 32), (16 * 16 + 16 * 16 + 32), (16 * 16 + 16 * 16 + 32), 16 * 10 + 10], rows.Select(r => r.Params));
        Assert.Equal(model.ParameterCount(), rows.Sum(r => r.Params));
    }

    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    [InlineData("rnn")]
    public void Every_cell_maps_tokens_to_logits_and_carries_its_state(string cell)
    {
        using var model = new CharRnn(new ModelConfig { Cell = cell, Embedding = 4, Hidden = 6 }, vocabSize: 5);
        using var scope = torch.NewDisposeScope();
        var tokens = tensor(new long[] { 0, 1, 2, 3, 4, 0 }, [2, 3]);
        Assert.Equal([2L, 3, 5], model.call(tokens).shape);

        // Feeding a sequence at once or in two parts with the carried state gives the same last logits.
        var whole = model.Step(tokens, null).Logits[.., -1];
        var (_, state) = model.Step(tokens[.., ..2], null);
        var parts = model.Step(tokens[.., 2..], state).Logits[.., -1];
        Assert.True(whole.allclose(parts, rtol: 1e-5, atol: 1e-6));
    }
}
