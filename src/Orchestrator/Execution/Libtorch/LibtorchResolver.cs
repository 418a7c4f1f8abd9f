using Core.Libtorch;
using Core.Spec;

namespace Orchestrator.Execution.Libtorch;

/// <summary>
/// Decides <see cref="LibtorchChoice"/> from <c>execution.libtorch</c> (or ORCHESTRATOR_LIBTORCH, which
/// overrides it): <c>bundled</c>; a folder; or <c>auto</c>: (1) a bundled CUDA build, (2) else a
/// CUDA-capable PyTorch found through Python (when the machine has an NVIDIA driver), (3) else the
/// bundled CPU build, (4) else a CPU PyTorch (a bundle that carries no libtorch). Throws
/// <see cref="RunnerSetupException"/> naming the setting, the folder and the fix.
/// </summary>
internal sealed class LibtorchResolver(string? bundledFolder, Func<(PyTorchInstall? Install, string? Missing)> findPyTorch, bool nvidiaDriver)
{
    public LibtorchChoice Resolve(string specValue)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(LibtorchSetting.EnvironmentVariable) is { Length: > 0 } env ? env : null;
        var setting = fromEnvironment ?? specValue;
        var source = fromEnvironment is not null ? LibtorchSetting.EnvironmentVariable : "execution.libtorch";
        return setting switch
        {
            LibtorchSetting.Bundled => Bundled(source),
            LibtorchSetting.Auto => Auto(),
            _ => FromFolder(setting, source),
        };
    }

    private LibtorchBuild? BundledBuild => bundledFolder is not null && LibtorchFolder.HasLibtorch(bundledFolder) ? LibtorchFolder.Describe(bundledFolder).AsBundled() : null;

    private LibtorchChoice Bundled(string source)
    {
        if (bundledFolder is null) return LibtorchChoice.OfBundled(null, $"{source}: bundled");
        var build = BundledBuild ?? throw new RunnerSetupException(
            $"{source} is bundled, but this build carries no libtorch ({bundledFolder} has no {LibtorchFolder.CpuLibrary}; a GPU bundle leaves it out): "
            + "set it to auto or to PyTorch's lib folder");
        return LibtorchChoice.OfBundled(build, $"{source}: bundled");
    }

    private LibtorchChoice Auto()
    {
        var bundled = BundledBuild;
        if (bundled is { HasCuda: true }) return LibtorchChoice.OfBundled(bundled, "auto: the bundled libtorch is a CUDA build");
        if (bundledFolder is null) return LibtorchChoice.OfBundled(null, "auto: the Runner set by ORCHESTRATOR_RUNNER brings its own");

        // Python is asked when a CUDA PyTorch could be of use (an NVIDIA driver), or when this build carries no libtorch at all.
        var askPython = nvidiaDriver || bundled is null;
        var (pytorch, missing) = askPython ? findPyTorch() : (null, null);
        if (nvidiaDriver && pytorch is { CudaCapable: true })
            return FromPyTorch(pytorch, $"auto: PyTorch {pytorch.Version} with CUDA {pytorch.Cuda}, found by {PyTorchProbe.Python}");
        var why = askPython && pytorch is null ? $"no PyTorch ({missing})"
            : !nvidiaDriver || pytorch is null ? "no NVIDIA driver on this machine"
            : pytorch.Cuda is null ? $"PyTorch {pytorch.Version} is a CPU build"
            : $"PyTorch {pytorch.Version} sees no GPU (torch.cuda.is_available() is False)";
        if (bundled is not null) return LibtorchChoice.OfBundled(bundled, $"auto: the bundled CPU build ({why})");
        if (pytorch is not null) return FromPyTorch(pytorch, $"auto: PyTorch {pytorch.Version}'s CPU libtorch; this build carries none ({why})");
        throw new RunnerSetupException(
            $"execution.libtorch is auto, but there is no libtorch to use: this build carries none ({bundledFolder} has no {LibtorchFolder.CpuLibrary}) and {why}; "
            + $"install PyTorch, or set execution.libtorch (or {LibtorchSetting.EnvironmentVariable}) to a folder holding libtorch");
    }

    private LibtorchChoice FromPyTorch(PyTorchInstall pytorch, string reason)
    {
        if (!LibtorchFolder.HasLibtorch(pytorch.Lib))
            throw new RunnerSetupException($"{PyTorchProbe.Python} finds PyTorch {pytorch.Version}, but its lib folder {pytorch.Lib} has no {LibtorchFolder.CpuLibrary}; "
                                           + $"set execution.libtorch (or {LibtorchSetting.EnvironmentVariable}) to bundled or to a folder holding libtorch");
        return LibtorchChoice.OfFolder(LibtorchFolder.Describe(pytorch.Lib), reason, pytorch);
    }

    private LibtorchChoice FromFolder(string setting, string source)
    {
        var folder = Path.GetFullPath(setting);
        if (File.Exists(folder)) throw new RunnerSetupException($"{source} is {setting}, a file; give the folder that holds {LibtorchFolder.CpuLibrary} (e.g. PyTorch's torch/lib), or auto or bundled");
        if (!Directory.Exists(folder)) throw new RunnerSetupException($"{source} is {setting}, but the folder {folder} does not exist; give PyTorch's lib folder, or auto or bundled");
        if (!LibtorchFolder.HasLibtorch(folder))
            throw new RunnerSetupException($"{source} is {setting}, but {folder} holds no {LibtorchFolder.CpuLibrary}; give PyTorch's lib folder "
                                           + $"({LibtorchFolder.PyTorchLibCommand} prints it), or auto or bundled");
        if (BundledBuild is { HasCuda: true } cuda)
            throw new RunnerSetupException($"{source} is {setting}, but this build bundles a CUDA libtorch ({cuda.Describe()}), which would load beside it; set it to bundled or auto");
        return LibtorchChoice.OfFolder(LibtorchFolder.Describe(folder), $"{source}: {setting}");
    }
}
