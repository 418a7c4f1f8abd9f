using System.Text;
using Runner.Data;
using Runner.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Inference;

/// <summary>How to generate text: the prime, how many characters to add, temperature, top-k (0 = all) and the sampling seed.</summary>
internal sealed record SampleRequest(string Prime, int Length, double Temperature, int TopK, long Seed);

/// <summary>
/// Generates text primed with a string (the seed's "JULIET"): runs the prime through the model,
/// then draws one character at a time from softmax(logits / temperature), optionally among the
/// top-k only, feeding each back with the carried state. Draws use a generator seeded by the
/// request alone, so the same checkpoint and request give the same text.
/// </summary>
internal static class Sampler
{
    /// <summary>The prime followed by <see cref="SampleRequest.Length"/> generated characters.</summary>
    public static string Generate(CharRnn model, Vocabulary vocab, SampleRequest request, Device device, CancellationToken ct = default)
    {
        vocab.Require(request.Prime, "the sample prime");
        if (request.Length < 0) throw new BadInputException($"the sample length must be 0 or more, got {request.Length}");
        if (!(request.Temperature > 0)) throw new BadInputException($"the sample temperature must be greater than 0, got {request.Temperature}");
        if (request.TopK < 0) throw new BadInputException($"the sample top-k must be 0 (all) or more, got {request.TopK}");

        var wasTraining = model.training;
        model.eval();
        using var generator = new Generator((ulong)request.Seed, CPU);
        var text = new StringBuilder(request.Prime, request.Prime.Length + request.Length);
        try
        {
            using var noGrad = torch.no_grad();
            using var outer = torch.NewDisposeScope();
            var (logits, state) = model.Step(tensor(vocab.Encode(request.Prime), [1, request.Prime.Length]).to(device), null);
            var last = logits[0, -1];
            for (var i = 0; i < request.Length; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var next = Draw(last, request, generator);
                text.Append(vocab[next]);
                var (previousLast, previousState) = (last, state);
                (logits, state) = model.Step(tensor(new[] { next }, [1, 1]).to(device), state);
                last = logits[0, -1];
                // Keep what the next iteration needs; free the previous step's and everything else of this one.
                last.MoveToOuterDisposeScope();
                state.H.MoveToOuterDisposeScope();
                state.C?.MoveToOuterDisposeScope();
                previousLast.Dispose();
                previousState.H.Dispose();
                previousState.C?.Dispose();
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return text.ToString();
    }

    private static long Draw(Tensor logits, SampleRequest request, Generator generator)
    {
        var scaled = logits.to(float64).cpu() / request.Temperature;
        if (request.TopK > 0 && request.TopK < scaled.shape[0])
        {
            var kth = scaled.topk(request.TopK).values[-1];
            scaled = scaled.masked_fill(scaled < kth, double.NegativeInfinity);
        }
        var probs = nn.functional.softmax(scaled, 0);
        return torch.multinomial(probs, 1, generator: generator).item<long>();
    }
}
