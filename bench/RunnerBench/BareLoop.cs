using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RunnerBench;

/// <summary>
/// The same model and optimizer step as the Runner with nothing around it: random tokens prepared
/// in advance on the device, no data pipeline, no store, no checkpoints. Like the Runner, it reads
/// the loss back every <c>logEvery</c> steps only, so neither loop waits for the device per step.
/// </summary>
public static class BareLoop
{
    public static double CharsPerSecond(string cell, int vocab, int embedding, int hidden, int batch, int seqLen, int warmup, int steps, int logEvery, Device device)
    {
        torch.manual_seed(1);
        using var model = new Bare(cell, vocab, embedding, hidden);
        model.to(device);
        var parameters = model.parameters().ToList();
        using var optimizer = optim.Adam(parameters, 0.002);
        var batches = Enumerable.Range(0, 4).Select(_ => (X: randint(0, vocab, [batch, seqLen], device: device), Y: randint(0, vocab, [batch, seqLen], device: device))).ToList();

        void Step(int i)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = batches[i % batches.Count];
            var logits = model.call(x);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 5.0);
            optimizer.step();
            if ((i + 1) % logEvery == 0) _ = loss.item<float>();
        }

        for (var i = 0; i < warmup; i++) Step(i);
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (var i = warmup; i < warmup + steps; i++) Step(i);
        Synchronize(device);
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        return (double)steps * batch * seqLen / seconds;
    }

    /// <summary>Waits until the device has done all queued work (nothing to wait for on the CPU).</summary>
    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }

    private sealed class Bare : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding _embedding;
        private readonly GRU? _gru;
        private readonly LSTM? _lstm;
        private readonly Linear _dense;

        public Bare(string cell, int vocab, int embedding, int hidden) : base("Bare")
        {
            _embedding = nn.Embedding(vocab, embedding);
            if (cell == "lstm") _lstm = nn.LSTM(embedding, hidden, batchFirst: true);
            else _gru = nn.GRU(embedding, hidden, batchFirst: true);
            _dense = nn.Linear(hidden, vocab);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var e = _embedding.call(x);
            var o = _lstm is not null ? _lstm.call(e).Item1 : _gru!.call(e).Item1;
            return _dense.call(o);
        }
    }
}
