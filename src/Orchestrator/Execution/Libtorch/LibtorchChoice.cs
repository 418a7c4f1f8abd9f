using Core.Contract;
using Core.Libtorch;
using Core.Spec;

namespace Orchestrator.Execution.Libtorch;

/// <summary>
/// The libtorch a run's Runners load, and why: the bundled one (<see cref="Folder"/> null), or a
/// folder such as PyTorch's torch/lib (<see cref="PyTorch"/> when it was chosen from a PyTorch
/// install). <see cref="Warning"/> says when a folder's version is not one TorchSharp was built for
/// or verified with.
/// </summary>
internal sealed record LibtorchChoice
{
    private LibtorchChoice(LibtorchBuild? build, string reason, bool bundled, PyTorchInstall? pytorch) =>
        (Build, Reason, Bundled, PyTorch) = (build, reason, bundled, pytorch);

    /// <summary>The Runner's own libtorch; <paramref name="build"/> null when unknown (a Runner set by ORCHESTRATOR_RUNNER).</summary>
    public static LibtorchChoice OfBundled(LibtorchBuild? build, string reason) => new(build, reason, bundled: true, pytorch: null);

    /// <summary>The libtorch in <paramref name="build"/>'s folder; <paramref name="pytorch"/>: the install it belongs to, when chosen from one.</summary>
    public static LibtorchChoice OfFolder(LibtorchBuild build, string reason, PyTorchInstall? pytorch = null) => new(build, reason, bundled: false, pytorch);

    public LibtorchBuild? Build { get; }
    public string Reason { get; }
    public bool Bundled { get; }
    /// <summary>The PyTorch install the folder was chosen from; null otherwise.</summary>
    public PyTorchInstall? PyTorch { get; }

    /// <summary>The chosen folder; null for the bundled libtorch.</summary>
    public string? Folder => Bundled ? null : Build!.Folder;

    /// <summary><see cref="TorchSharpSupport.Warning"/> for a folder; null for the bundled libtorch.</summary>
    public string? Warning => Bundled ? null : TorchSharpSupport.Warning(Build!);

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
