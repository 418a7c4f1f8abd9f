using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Serialization;
using System.Text.Json;
using Core.Processes;

namespace Orchestrator.Execution.Libtorch;

/// <summary>A PyTorch install as <c>python3 -c 'import torch'</c> describes it: version, CUDA version, its lib folder, and whether it sees a GPU.</summary>
internal sealed record PyTorchInstall(string Version, string? Cuda, string Lib, bool CudaAvailable, int? Cudnn)
{
    /// <summary>A CUDA build that sees a GPU.</summary>
    public bool CudaCapable => Cuda is not null && CudaAvailable;
}

/// <summary>
/// Finds PyTorch the way its users do: runs the Python interpreter (<c>python3</c>, or what
/// ORCHESTRATOR_PYTHON names) with <c>import torch</c>, and reads its version, CUDA version, lib
/// folder and <c>torch.cuda.is_available()</c>.
/// </summary>
internal static class PyTorchProbe
{
    public const string PythonVariable = "ORCHESTRATOR_PYTHON";

    private const string Script = """
        import json, os
        try:
            import torch
        except Exception as e:
            print(json.dumps({"error": "import torch: %s: %s" % (type(e).__name__, e)}))
            raise SystemExit(0)
        cuda = torch.version.cuda
        available = bool(cuda) and torch.cuda.is_available()
        cudnn = torch.backends.cudnn.version() if available else None
        print(json.dumps({"version": torch.__version__, "cuda": cuda, "lib": os.path.join(os.path.dirname(torch.__file__), "lib"),
                          "cuda_available": available, "cudnn": cudnn}))
        """;

    private sealed record Answer(string? Error, string? Version, string? Cuda, string? Lib, bool CudaAvailable, int? Cudnn);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString };

    public static string Python => Environment.GetEnvironmentVariable(PythonVariable) is { Length: > 0 } p ? p : "python3";

    /// <summary>The PyTorch <see cref="Python"/> imports, or why there is none (no interpreter, no torch, a failure).</summary>
    public static (PyTorchInstall? Install, string? Missing) Find(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Python);
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        try
        {
            if (ToolProcess.Run(psi, timeout) is not { } r)
                return (null, $"`{Python} -c 'import torch'` ran past {timeout.TotalSeconds:0} s");
            var line = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            var answer = line is null ? null : JsonSerializer.Deserialize<Answer>(line, Json);
            if (answer?.Error is { } error) return (null, error);
            if (answer?.Version is null || answer.Lib is null)
                return (null, $"`{Python} -c 'import torch'` failed (exit {r.ExitCode}): {r.StdErr.Trim().Split('\n').LastOrDefault() ?? "no output"}");
            return (new PyTorchInstall(answer.Version, answer.Cuda, answer.Lib, answer.CudaAvailable, answer.Cudnn), null);
        }
        catch (Win32Exception)
        {
            return (null, $"no {Python} on PATH");
        }
        catch (JsonException e)
        {
            return (null, $"`{Python} -c 'import torch'` printed something unexpected: {e.Message}");
        }
    }
}
