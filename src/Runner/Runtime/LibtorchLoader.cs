using System.Runtime.InteropServices;
using Core.Contract;
using Core.Libtorch;
using Core.Spec;
using TorchSharp;

namespace Runner.Runtime;

/// <summary>
/// Makes TorchSharp use the libtorch of a given folder (PyTorch's torch/lib, say) instead of one
/// bundled with the Runner: it loads that folder's libraries by path before TorchSharp loads
/// anything, and TorchSharp's libLibTorchSharp.so then binds to them by their names. TorchSharp's
/// own loading maps a libtorch_cpu.so that sits beside the Runner whatever else is loaded, so such a
/// folder is only used by a Runner that carries no libtorch of its own (the orchestrator starts those
/// from runner-external-libtorch/) or carries the very same files.
/// </summary>
internal static class LibtorchLoader
{
    /// <summary>
    /// Uses the folder <see cref="RunnerEnvironment.LibtorchDir"/> names; without it, a Runner that
    /// carries no libtorch uses the first folder on LD_LIBRARY_PATH that holds one. A Runner with its
    /// own libtorch and no folder given uses its own (nothing to do here).
    /// </summary>
    public static void UseFromEnvironment()
    {
        var folder = Environment.GetEnvironmentVariable(RunnerEnvironment.LibtorchDir) is { Length: > 0 } given ? given : null;
        if (folder is null && BundledLibrary() is null)
        {
            folder = (Environment.GetEnvironmentVariable(RunnerEnvironment.LibraryPath) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(d => Path.IsPathRooted(d) && LibtorchFolder.HasLibtorch(d));
            if (folder is null)
                throw new BadInputException($"this Runner carries no libtorch ({LoadedLibtorch.BundledFolders[0]} has no {LibtorchFolder.CpuLibrary}) and none was given: "
                                            + $"set {RunnerEnvironment.LibtorchDir} (or LD_LIBRARY_PATH) to PyTorch's lib folder, "
                                            + $"as {LibtorchFolder.PyTorchLibCommand} prints it");
        }
        if (folder is not null) UseFolder(folder);
    }

    /// <summary>Loads libtorch from <paramref name="folder"/>; <see cref="BadInputException"/> naming the folder and what to do when it cannot.</summary>
    public static void UseFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw Unusable(full, "the folder does not exist");
        var cpu = Path.Combine(full, LibtorchFolder.CpuLibrary);
        if (!File.Exists(cpu)) throw Unusable(full, $"it holds no {LibtorchFolder.CpuLibrary}");
        if (BundledLibrary() is { } own && !SameFile(own, cpu))
            throw Unusable(full, $"this Runner carries a libtorch of its own ({own}), which TorchSharp would load beside it; "
                                 + "start the Runner from the orchestrator's runner-external-libtorch/ folder (as `orchestrator run` does), or use the bundled libtorch");

        // libtorch_cuda.so first: it brings libtorch_cpu.so, libc10.so and the CUDA libraries along (their RUNPATH finds them).
        foreach (var name in new[] { LibtorchFolder.CudaLibrary, LibtorchFolder.CpuLibrary, "libtorch.so" })
        {
            var path = Path.Combine(full, name);
            if (!File.Exists(path)) continue;
            try { NativeLibrary.Load(path); }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw Unusable(full, $"{name} does not load: {LoaderMessage(e.Message)}");
            }
        }
        try { NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null); }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw Unusable(full, $"TorchSharp's libLibTorchSharp.so does not load against it: {LoaderMessage(e.Message)}");
        }
    }

    /// <summary>The libtorch_cpu.so beside the Runner (which TorchSharp loads first), if it carries one.</summary>
    private static string? BundledLibrary() =>
        LoadedLibtorch.BundledFolders.Select(f => Path.Combine(f, LibtorchFolder.CpuLibrary)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Whether two paths are one file: the same target, or hard links of it (the build links the
    /// package's files, so same length and modification time to the tick).
    /// </summary>
    private static bool SameFile(string a, string b)
    {
        FileInfo Real(string p) => new FileInfo(p).ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? new FileInfo(p);
        var (x, y) = (Real(a), Real(b));
        return x.FullName == y.FullName || (x.Length == y.Length && x.LastWriteTimeUtc == y.LastWriteTimeUtc);
    }

    /// <summary>Bad input that names the folder, the problem and what to do.</summary>
    private static BadInputException Unusable(string folder, string problem) => new(
        $"libtorch in {folder} cannot be used: {problem}. Point execution.libtorch (or {LibtorchSetting.EnvironmentVariable}) at PyTorch's lib folder, "
        + $"as {LibtorchFolder.PyTorchLibCommand} prints it, or set it to bundled");

    /// <summary>The loader's own words: .NET puts dlerror's message on the last line of its DllNotFoundException's.</summary>
    private static string LoaderMessage(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no message)";
}
