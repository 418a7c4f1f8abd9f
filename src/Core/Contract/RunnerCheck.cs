using System.Text.Json;
using System.Text.Json.Serialization;

namespace Core.Contract;

/// <summary>
/// What <c>runner check</c> found, as one line on its stdout: <c>@check </c> and a JSON object
/// (snake_case). It says which TorchSharp and libtorch the Runner really loaded, the device it would
/// train on, the GPUs it sees, and (unless asked for none) the speed of a few real training steps.
/// <c>orchestrator doctor</c> reads it, and <c>run</c> uses it to try an external libtorch before any
/// trial starts. Failures come as a <see cref="FailureEvent"/> progress line, as from <c>train</c>.
/// </summary>
public sealed record RunnerCheck
{
    public const string Prefix = "@check ";

    public required string Dotnet { get; init; }
    public required string Torchsharp { get; init; }
    /// <summary>The folder of the libtorch_cpu.so the process mapped (from /proc/self/maps).</summary>
    public required string? LibtorchLoaded { get; init; }
    /// <summary>What that folder is: origin, version, CUDA version.</summary>
    public required LibtorchInfo? Libtorch { get; init; }
    /// <summary>cpu or cuda: where a trial with the given --device trains.</summary>
    public required string Device { get; init; }
    public required bool CudaAvailable { get; init; }
    public required int CudaDevices { get; init; }
    public required bool CudnnAvailable { get; init; }
    /// <summary>The GPUs this process may use (nvidia-smi, narrowed by CUDA_VISIBLE_DEVICES); empty without a GPU.</summary>
    public required IReadOnlyList<GpuInfo> Gpus { get; init; }
    public required string? CudaVisibleDevices { get; init; }
    /// <summary>The measured training steps; null when none were asked for.</summary>
    public required StepSpeed? Step { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Format() => Prefix + JsonSerializer.Serialize(this, Json);

    /// <summary>The report on a stdout line; null if the line is not one.</summary>
    public static RunnerCheck? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try { return JsonSerializer.Deserialize<RunnerCheck>(line.AsSpan(Prefix.Length), Json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>A libtorch folder as the Runner describes it (see Core.Libtorch.LibtorchBuild).</summary>
public sealed record LibtorchInfo(string Folder, string Origin, string? Version, string? CudaVersion, bool HasCuda);

/// <summary>One GPU: its id as CUDA_VISIBLE_DEVICES takes it (index or UUID), name and memory.</summary>
public sealed record GpuInfo(string Id, string Name, long MemoryMib);

/// <summary>Training speed over <paramref name="Steps"/> timed steps (after warm-up) of a GRU of this size.</summary>
public sealed record StepSpeed(string Cell, int Hidden, int BatchSize, int SeqLen, int Steps, double Seconds, double CharsPerSec, double Loss);
