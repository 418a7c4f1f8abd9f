using Core.Contract;
using Runner.Model;
using Runner.Runtime;
using TorchSharp;
using DeviceType = TorchSharp.DeviceType;

namespace Runner.Cli;

/// <summary>
/// <c>runner check [--device auto|cpu|cuda] [--steps N] [--warmup N] [--cell C] [--embedding E] [--hidden H] [--layers L] [--batch-size B] [--seq-len S] [--threads N]</c>:
/// loads TorchSharp and libtorch as <c>train</c> would, optionally times a few real training steps
/// on the device, and prints what it found as one <see cref="Core.Contract.RunnerCheck"/> line.
/// Touches no database. <c>orchestrator doctor</c> runs it; so does <c>run</c>, to try a libtorch
/// folder before any trial starts.
/// </summary>
internal static class CheckCommand
{
    public const string Usage = "runner check [--device auto|cpu|cuda] [--steps 0] [--warmup 3] [--cell gru] [--embedding 256] [--hidden H] [--layers 1] [--batch-size B] [--seq-len S] [--threads N]\n"
                                + "    (sizes default to the study's GRU-1024, batch 64, seq 100 on CUDA; GRU-256, batch 16, seq 50 on the CPU)";

    private static readonly string[] Options = ["device", "steps", "warmup", "cell", "embedding", "hidden", "layers", "batch-size", "seq-len", "threads"];

    public static int Run(IReadOnlyList<string> args)
    {
        var a = RunnerArguments.Parse(args, Options);
        var steps = a.Int("steps", min: 0) ?? 0;
        var warmup = a.Int("warmup", min: 0) ?? 3;
        var device = DeviceChoice.Resolve(a.Get("device") ?? "auto");
        var onGpu = device.type == DeviceType.CUDA;
        var hidden = a.Int("hidden", min: 1) ?? (onGpu ? 1024 : 256);
        var batchSize = a.Int("batch-size", min: 1) ?? (onGpu ? 64 : 16);
        var seqLen = a.Int("seq-len", min: 1) ?? (onGpu ? 100 : 50);
        if (a.Int("threads", min: 1) is { } threads) torch.set_num_threads(threads);

        var model = new Core.Config.ModelConfig { Cell = a.Get("cell") ?? "gru", Embedding = a.Int("embedding", min: 1) ?? 256, Layers = a.Int("layers", min: 1) ?? 1 };
        if (model.Cell is not ("rnn" or "gru" or "lstm")) throw new BadInputException($"--cell must be rnn, gru or lstm, got '{model.Cell}'");
        var step = steps > 0 ? StepSpeedProbe.Measure(device, hidden, batchSize, seqLen, warmup, steps, CancellationToken.None, model) : null;
        Console.Out.WriteLine(RuntimeProbe.Check(device, step).Format());
        return Core.Contract.RunnerExitCode.Done;
    }
}
