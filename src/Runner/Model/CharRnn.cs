using Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Runner.Model;

/// <summary>
/// The study's character model: Embedding(V, embedding) → recurrent stack (rnn tanh / gru / lstm,
/// <c>layers</c> deep, dropout between layers) → Linear(hidden, V). Inputs are [batch, time] token
/// ids; outputs are [batch, time, V] logits.
/// </summary>
internal class CharRnn : nn.Module<Tensor, Tensor>
{
    private readonly Embedding _embedding;
    private readonly GRU? _gru;
    private readonly LSTM? _lstm;
    private readonly RNN? _rnn;
    private readonly Linear _dense;

    public CharRnn(ModelConfig config, int vocabSize) : base(nameof(CharRnn))
    {
        Config = config;
        VocabSize = vocabSize;
        var dropout = config.Layers > 1 ? config.Dropout : 0.0;
        _embedding = nn.Embedding(vocabSize, config.Embedding);
        nn.Module recurrent = config.Cell switch
        {
            "gru" => _gru = nn.GRU(config.Embedding, config.Hidden, config.Layers, batchFirst: true, dropout: dropout),
            "lstm" => _lstm = nn.LSTM(config.Embedding, config.Hidden, config.Layers, batchFirst: true, dropout: dropout),
            "rnn" => _rnn = nn.RNN(config.Embedding, config.Hidden, config.Layers, nn.NonLinearities.Tanh, batchFirst: true, dropout: dropout),
            _ => throw new BadInputException($"model.cell must be one of {string.Join(", ", TrialConfigValidator.Cells)}, got '{config.Cell}'"),
        };
        _dense = nn.Linear(config.Hidden, vocabSize);
        register_module("embedding", _embedding);
        register_module("rnn", recurrent);
        register_module("dense", _dense);
    }

    public ModelConfig Config { get; }
    public int VocabSize { get; }

    /// <summary>Logits for every position of <paramref name="tokens"/>, starting from a zero state.</summary>
    public override Tensor forward(Tensor tokens) => Step(tokens, null).Logits;

    /// <summary>Logits for every position, continuing from <paramref name="state"/> (null: zeros), and the state after the last position.</summary>
    public (Tensor Logits, RnnState State) Step(Tensor tokens, RnnState? state)
    {
        var x = _embedding.call(tokens);
        Tensor output;
        RnnState next;
        if (_gru is not null)
        {
            var (o, h) = _gru.call(x, state?.H);
            (output, next) = (o, new RnnState(h, null));
        }
        else if (_lstm is not null)
        {
            var (o, h, c) = _lstm.call(x, state is null ? null : (state.H, state.C!));
            (output, next) = (o, new RnnState(h, c));
        }
        else
        {
            var (o, h) = _rnn!.call(x, state?.H);
            (output, next) = (o, new RnnState(h, null));
        }
        return (_dense.call(output), next);
    }

    /// <summary>Parameter count of the live module.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
