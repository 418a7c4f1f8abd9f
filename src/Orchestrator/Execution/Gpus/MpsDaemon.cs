using System.ComponentModel;
using System.Diagnostics;
using Core.Contract;
using Core.Processes;
using Core.Spec;

namespace Orchestrator.Execution.Gpus;

/// <summary>
/// NVIDIA's MPS daemon, which lets the processes that share a GPU run their kernels side by side
/// instead of taking turns (measured on one H100: hw3 at --parallel 4 took 44 s with it, 92 s without).
/// <c>execution.mps</c>: <c>auto</c> joins a daemon that is already running; <c>true</c> also starts one
/// for the run's lifetime when none runs (with its pipe and log folders of its own), and stops it when
/// the run ends; <c>false</c> does neither. Runners join through CUDA_MPS_PIPE_DIRECTORY.
/// </summary>
internal sealed class MpsDaemon : IAsyncDisposable
{
    public const string Control = "nvidia-cuda-mps-control";
    public const string DefaultPipeDirectory = "/tmp/nvidia-mps";

    private MpsDaemon(string pipeDirectory, bool started) => (PipeDirectory, StartedHere) = (pipeDirectory, started);

    /// <summary>The daemon's pipe folder, as Runners get it in CUDA_MPS_PIPE_DIRECTORY.</summary>
    public string PipeDirectory { get; }

    /// <summary>Whether this run started the daemon (and stops it when disposed).</summary>
    public bool StartedHere { get; }

    /// <summary>The pipe folder of a daemon running now (where CUDA_MPS_PIPE_DIRECTORY, else CUDA's default, has its control pipe); null when none runs.</summary>
    public static string? Running()
    {
        var folder = Environment.GetEnvironmentVariable(RunnerEnvironment.MpsPipeDirectory) is { Length: > 0 } set ? set : DefaultPipeDirectory;
        return File.Exists(Path.Combine(folder, "control")) ? folder : null;
    }

    /// <summary>Where <see cref="Control"/> is on the PATH; null when it is not.</summary>
    public static string? ControlProgram() => ToolProcess.FindOnPath(Control);

    /// <summary>The daemon the setting asks for: null for none; <see cref="RunnerSetupException"/> when <c>true</c> cannot be had.</summary>
    public static async Task<MpsDaemon?> StartAsync(string setting, CancellationToken ct)
    {
        if (setting == MpsSetting.Off) return null;
        if (Running() is { } running) return new MpsDaemon(running, started: false);
        if (setting == MpsSetting.Auto) return null;

        if (ControlProgram() is null)
            throw new RunnerSetupException($"execution.mps is true, but {Control} is not on the PATH (it comes with the NVIDIA driver, beside nvidia-smi) "
                                           + "and no MPS daemon is running; install it, or set execution.mps to auto or false");
        var folder = Directory.CreateTempSubdirectory("orchestrator-mps-").FullName;
        var (code, output) = await ControlAsync(folder, ["-d"], stdin: null, ct).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (code == 0 && !File.Exists(Path.Combine(folder, "control")) && DateTime.UtcNow < deadline)
            await Task.Delay(50, ct).ConfigureAwait(false);
        if (code != 0 || !File.Exists(Path.Combine(folder, "control")))
        {
            TryDelete(folder);
            throw new RunnerSetupException($"execution.mps is true, but `{Control} -d` did not start a daemon (exit {code}{(output.Length > 0 ? $": {output}" : "")}); "
                                           + "see its log, or set execution.mps to auto or false");
        }
        return new MpsDaemon(folder, started: true);
    }

    /// <summary>Stops the daemon this run started (<c>quit</c> on its control pipe) and removes its folders; leaves any other alone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!StartedHere) return;
        await ControlAsync(PipeDirectory, [], stdin: "quit", CancellationToken.None).ConfigureAwait(false);
        TryDelete(PipeDirectory);
    }

    private static async Task<(int Code, string Output)> ControlAsync(string folder, IReadOnlyList<string> args, string? stdin, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Control);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[RunnerEnvironment.MpsPipeDirectory] = folder;
        psi.Environment["CUDA_MPS_LOG_DIRECTORY"] = folder;
        try
        {
            if (await ToolProcess.RunAsync(psi, TimeSpan.FromSeconds(30), stdin is null ? null : stdin + "\n", ct).ConfigureAwait(false) is not { } r)
                return (-1, $"{Control} did not answer within 30 s");
            return (r.ExitCode, string.Join(' ', new[] { r.StdOut, r.StdErr }.Select(o => o.Trim()).Where(o => o.Length > 0)));
        }
        catch (Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* a daemon still writing its log; /tmp is cleaned eventually */ }
        catch (UnauthorizedAccessException) { }
    }
}
