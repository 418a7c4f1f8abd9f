using System.Globalization;
using System.Text;
using Core.Config;
using Runner.Model;
using RunnerBench;
using TorchSharp;

// Benchmark of the Runner's training loop (not run by CI). See docs/runner.md, "Performance".
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var o = BenchOptions.Parse(args);
torch.set_num_threads(o.Threads);
var device = DeviceChoice.Resolve(o.Device);
var corpus = FindCorpus(o.Corpus);
Console.WriteLine($"RunnerBench: device {o.Device}, {o.Threads} torch threads, seq {o.SeqLen}, batch {o.BatchSize}, embedding {o.Embedding}, {o.Warmup} warm-up + {o.Steps} timed steps, " +
                  $"losses read every {o.LogEvery} steps, best of {o.Rounds} rounds; corpus {corpus.Description}");

// Memory first, while the process is small: RSS of a small model's Runner loop at step 100 and at the end.
var memoryEpochs = Math.Max(2, o.MemorySteps / 1000); // an epoch end (validation, probe, checkpoint) every ~1,000 steps
var memoryConfig = Config("gru", 64, corpus.Path, maxSteps: o.MemorySteps / memoryEpochs, epochs: memoryEpochs, seqLen: 32, batch: 16, embedding: 32, logEvery: 10, valBatches: 5);
long[] rssSteps = [.. new long[] { 100, 1010 }.Concat(Enumerable.Range(1, o.MemorySteps / 500).Select(i => i * 500L)).Where(s => s <= o.MemorySteps).Distinct().Order()];
var memory = o.MemorySteps > 0 ? await RunnerLoop.MeasureAsync(memoryConfig, warmup: 100, steps: o.MemorySteps / memoryEpochs * memoryEpochs - 100, rssAt: rssSteps, device) : null;

var gflops = Enumerable.Range(0, o.Rounds).Max(_ => Matmul.GigaflopsPerSecond(o.MatmulSize, device));
Console.WriteLine($"matmul {o.MatmulSize}x{o.MatmulSize} float32: {gflops:0.0} GFLOP/s");
Console.WriteLine();
Console.WriteLine("cell  hidden  params(rnn+dense)  runner chars/s  bare chars/s  runner/bare  runner GFLOP/s  of matmul  epoch end s");
foreach (var hidden in o.Hidden)
{
    foreach (var cell in o.Cells)
    {
        var config = Config(cell, hidden, corpus.Path, maxSteps: o.Warmup + o.Steps, epochs: 1, o.SeqLen, o.BatchSize, o.Embedding, logEvery: o.LogEvery, valBatches: 1);
        RunnerMeasurement? runner = null;
        var bare = 0.0;
        for (var round = 0; round < o.Rounds; round++)
        {
            var r = await RunnerLoop.MeasureAsync(config, o.Warmup, o.Steps, rssAt: [], device);
            if (runner is null || r.CharsPerSecond > runner.CharsPerSecond) runner = r;
            bare = Math.Max(bare, BareLoop.CharsPerSecond(cell, corpus.Vocab, o.Embedding, hidden, o.BatchSize, o.SeqLen, o.Warmup, o.Steps, o.LogEvery, device));
        }
        var best = runner!;
        var achieved = 6.0 * best.RecurrentAndDenseParameters * best.CharsPerSecond / 1e9;
        Console.WriteLine($"{cell,-4}  {hidden,6}  {best.RecurrentAndDenseParameters,17:N0}  {best.CharsPerSecond,14:N0}  {bare,12:N0}  {best.CharsPerSecond / bare,11:0.000}  {achieved,14:0.0}  {achieved / gflops,9:P1}  {best.EpochEndSeconds,11:0.00}");
    }
}
Console.WriteLine();
Console.WriteLine("FLOPs per step ≈ 6 × (recurrent + dense parameters) × batch × seq_len (2 forward + 4 backward per parameter per character; embedding lookups, softmax and Adam not counted).");
Console.WriteLine($"runner chars/s: the Runner's TrialRun (data pipeline, losses read and logged every {o.LogEvery} steps, SQLite metric buffer) timed between step events after warm-up;");
Console.WriteLine($"bare chars/s: the same model, Adam step and clipping on pre-made random tokens, loss read every {o.LogEvery} steps; both best of the rounds, measured alternately;");
Console.WriteLine("epoch end s: validation (1 batch) + probe + checkpoint write after the last step, paid once per epoch.");
if (memory is null) return 0;
Console.WriteLine();
Console.WriteLine($"memory of the Runner loop, gru 64 (seq 32, batch 16, {memoryEpochs} epochs of {o.MemorySteps / memoryEpochs} steps, each ending with validation and a checkpoint):");
Console.WriteLine("  step   RSS MiB   live managed heap MiB");
foreach (var s in rssSteps) Console.WriteLine($"{s,6}  {memory.MemoryAtStep[s].Rss / 1048576.0,8:0.0}  {memory.MemoryAtStep[s].Managed / 1048576.0,17:0.0}");
Console.WriteLine($"  RSS change from step 100 to {o.MemorySteps}: {(memory.MemoryAtStep[o.MemorySteps].Rss - memory.MemoryAtStep[100].Rss) / 1048576.0:+0.0;-0.0} MiB; from step 1010 (after the first epoch end) to {o.MemorySteps}: {(memory.MemoryAtStep[o.MemorySteps].Rss - memory.MemoryAtStep[1010].Rss) / 1048576.0:+0.0;-0.0} MiB");
return 0;

static TrialConfig Config(string cell, int hidden, string corpus, int maxSteps, int epochs, int seqLen, int batch, int embedding, int logEvery, int valBatches) => new()
{
    Data = new DataConfig { Path = corpus, SeqLen = seqLen },
    Model = new ModelConfig { Cell = cell, Embedding = embedding, Hidden = hidden },
    Train = new TrainConfig { BatchSize = batch, Epochs = epochs, MaxSteps = maxSteps, LogEvery = logEvery, ValBatches = valBatches },
    Sample = new SampleConfig { Length = 0 },
};

static (string Path, string Description, int Vocab) FindCorpus(string? given)
{
    var root = AppContext.BaseDirectory;
    while (root is not null && !File.Exists(Path.Combine(root, "Orchestrator.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'));
    string?[] candidates = [given, root is null ? null : Path.Combine(root, "data", "tinyshakespeare.txt"), root is null ? null : Path.Combine(root, "..", "shared", "data", "tinyshakespeare.txt")];
    if (candidates.FirstOrDefault(File.Exists) is { } found)
    {
        var full = Path.GetFullPath(found);
        return (full, full, File.ReadAllText(full).Distinct().Count());
    }
    // No corpus here: random text over 65 characters, as long as tiny Shakespeare.
    var path = Path.Combine(Path.GetTempPath(), "runner-bench-random-corpus.txt");
    const string alphabet = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    var random = new Random(1);
    var text = new StringBuilder(1_115_394);
    for (var i = 0; i < 1_115_394; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
    File.WriteAllText(path, text.ToString());
    return (path, $"random text ({path}; no tinyshakespeare.txt found)", alphabet.Length);
}
