using System.Globalization;

namespace RunnerBench;

/// <summary>Command-line options of the benchmark; every size is adjustable so a run fits the time at hand.</summary>
public sealed record BenchOptions
{
    public int Warmup { get; init; } = 5;
    public int Steps { get; init; } = 20;
    public int[] Hidden { get; init; } = [256, 1024];
    public string[] Cells { get; init; } = ["gru", "lstm"];
    public int SeqLen { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public int Embedding { get; init; } = 256;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int MemorySteps { get; init; } = 2000;
    public int MatmulSize { get; init; } = 2048;
    public string? Corpus { get; init; }
    /// <summary>Each measurement is repeated this many times, runner and bare loop alternating; the best of each is reported (this machine is shared).</summary>
    public int Rounds { get; init; } = 3;
    /// <summary>cpu or cuda: where the Runner loop, the bare loop and the matmul run.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>The Runner's train.log_every: how often it reads losses back from the device (the bare loop reads as often).</summary>
    public int LogEvery { get; init; } = 10;

    public const string Usage = """
        dotnet run -c Release --project bench/RunnerBench -- [--warmup 5] [--steps 20] [--hidden 256,1024] [--cells gru,lstm]
            [--seq-len 100] [--batch-size 64] [--embedding 256] [--threads N] [--memory-steps 2000] [--matmul-size 2048] [--corpus PATH] [--rounds 3]
            [--device cpu|cuda] [--log-every 10]
        warm-up and timed steps are rounded up to multiples of --log-every (the Runner's step events time them); --memory-steps 0 skips the memory run
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            var v = args[i + 1];
            o = args[i] switch
            {
                "--warmup" => o with { Warmup = Int(v) },
                "--steps" => o with { Steps = Int(v) },
                "--hidden" => o with { Hidden = v.Split(',').Select(Int).ToArray() },
                "--cells" => o with { Cells = v.Split(',') },
                "--seq-len" => o with { SeqLen = Int(v) },
                "--batch-size" => o with { BatchSize = Int(v) },
                "--embedding" => o with { Embedding = Int(v) },
                "--threads" => o with { Threads = Int(v) },
                "--memory-steps" => o with { MemorySteps = Int(v) },
                "--matmul-size" => o with { MatmulSize = Int(v) },
                "--corpus" => o with { Corpus = v },
                "--rounds" => o with { Rounds = Int(v) },
                "--device" => o with { Device = v is "cpu" or "cuda" ? v : throw new ArgumentException($"--device must be cpu or cuda, got '{v}'") },
                "--log-every" => o with { LogEvery = Int(v) },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        return o with { Warmup = Math.Max(o.LogEvery, RoundUp(o.Warmup, o.LogEvery)), Steps = Math.Max(o.LogEvery, RoundUp(o.Steps, o.LogEvery)) };
    }

    private static int RoundUp(int n, int multiple) => (n + multiple - 1) / multiple * multiple;

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
