using Core.Contract;
using Core.Libtorch;
using Core.Spec;

namespace Orchestrator.Execution.Libtorch;

/// <summary>
/// The libtorch a run's Runners load, and why: the bundled one (<see cref="Folder"/> null), or a
/// folder such as PyTorch's torch/lib. <see cref="Warning"/> says when its version is not one
/// TorchSharp was built for or verified with.
/// </summary>
public sealed record LibtorchChoice(string? Folder, LibtorchBuild? Build, string Reason, string? Warning)
{
    public bool Bundled => Folder is null;

    /// <summary>"2.11.0+cu130 (PyTorch) in /…/torch/lib", "2.10.0 (bundled)".</summary>
    public string Describe() => (Build?.Describe() ?? "the Runner's own (unknown version)") + (Folder is null ? "" : $" in {Folder}");

    /// <summary>
    /// The environment a Runner needs for this choice: the folder in <see cref="RunnerEnvironment.LibtorchDir"/>
    /// and first on LD_LIBRARY_PATH; other folders holding a libtorch are taken off LD_LIBRARY_PATH
    /// either way, so that none is loaded beside the chosen one.
    /// </summary>
    public IReadOnlyDictionary<string, string> RunnerEnvironment(string? inheritedLibraryPath)
    {
        var others = (inheritedLibraryPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(d => !LibtorchFolder.HasLibtorch(d) && !File.Exists(Path.Combine(d, LibtorchFolder.CudaLibrary))).ToList();
        var path = Folder is null ? others : [Folder, .. others];
        var env = new Dictionary<string, string> { [Core.Contract.RunnerEnvironment.LibraryPath] = string.Join(':', path) };
        if (Folder is not null) env[Core.Contract.RunnerEnvironment.LibtorchDir] = Folder;
        return env;
    }
}
