using System.Diagnostics;
using Core.Config;
using Core.Contract;
using Runner.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Runtime;

/// <summary>
/// A few real training steps of the study's model (embedding → GRU → dense, Adam, gradient clipping,
/// cross-entropy) on random characters, timed after a warm-up: how fast this device trains.
/// Every step runs in a dispose scope; the loss is read back each step, so the time includes the device's work.
/// </summary>
internal static class StepSpeedProbe
{
    public const int Vocabulary = 65; // Tiny Shakespeare's

    /// <param name="model">The cell, embedding and layers (its hidden size is <paramref name="hidden"/>); null: the study's GRU with embedding 256, one layer.</param>
    public static StepSpeed Measure(Device device, int hidden, int batchSize, int seqLen, int warmup, int steps, CancellationToken ct, ModelConfig? model = null)
    {
        torch.manual_seed(1);
        var config = (model ?? new ModelConfig { Cell = "gru", Embedding = 256 }) with { Hidden = hidden };
        return Measure(device, config, batchSize, seqLen, warmup, steps, ct);
    }

    private static StepSpeed Measure(Device device, ModelConfig config, int batchSize, int seqLen, int warmup, int steps, CancellationToken ct)
    {
        var hidden = config.Hidden;
        using var model = new CharRnn(config, Vocabulary);
        model.to(device);
        var parameters = model.parameters().ToList();
        using var optimizer = optim.Adam(parameters, 0.002);
        using var x = randint(0, Vocabulary, [batchSize, seqLen], device: device);
        using var y = randint(0, Vocabulary, [batchSize, seqLen], device: device);

        double Step()
        {
            using var scope = torch.NewDisposeScope();
            var logits = model.call(x);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, Vocabulary), y.reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 5.0);
            optimizer.step();
            return loss.item<float>();
        }

        for (var i = 0; i < warmup; i++) { ct.ThrowIfCancellationRequested(); Step(); }
        var clock = Stopwatch.StartNew();
        var last = double.NaN;
        for (var i = 0; i < steps; i++) { ct.ThrowIfCancellationRequested(); last = Step(); }
        var seconds = clock.Elapsed.TotalSeconds;
        return new StepSpeed(config.Cell, hidden, batchSize, seqLen, steps, seconds, steps * (double)batchSize * seqLen / seconds, last);
    }
}
