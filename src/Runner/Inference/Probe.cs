using System.Text.Encodings.Web;
using System.Text.Json;
using Runner.Data;
using Runner.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Inference;

/// <summary>One candidate next character and its probability.</summary>
internal sealed record Candidate(string Char, double P);

/// <summary>What the model predicts after the probe text: the most likely next character and the top-k.</summary>
internal sealed record ProbeResult(string Input, string Predicted, IReadOnlyList<Candidate> Top)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>[{"char":"p","p":0.41},...], most likely first, as the probes table stores it.</summary>
    public string TopJson => JsonSerializer.Serialize(Top, Json);
}

/// <summary>The probe run at every checkpoint (the seed's "input = peo, output = u").</summary>
internal static class Probe
{
    public static ProbeResult Run(CharRnn model, Vocabulary vocab, string text, int topK, Device device)
    {
        vocab.Require(text, "probe.text");
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var input = tensor(vocab.Encode(text), [1, text.Length]).to(device);
            var logits = model.call(input)[0, -1];
            var probs = nn.functional.softmax(logits.to(float64), 0).cpu();
            var (values, indices) = probs.topk(Math.Min(topK, vocab.Size));
            var p = values.data<double>().ToArray();
            var ids = indices.data<long>().ToArray();
            var top = ids.Select((id, i) => new Candidate(vocab[id].ToString(), Math.Round(p[i], 6))).ToList();
            return new ProbeResult(text, top[0].Char, top);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
