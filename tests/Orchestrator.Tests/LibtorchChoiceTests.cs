using Core.Contract;
using Core.Libtorch;
using Orchestrator.Execution;
using Orchestrator.Execution.Libtorch;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Which libtorch a run's Runners load: auto, bundled or a folder, found through the real python3
/// (with a stand-in PyTorch package, as this machine has none) and tried by the real Runner.
/// </summary>
public sealed class LibtorchChoiceTests : IDisposable
{
    private readonly TempDir _dir = new("libtorch-choice");

    public void Dispose() => _dir.Dispose();

    private static string BundledFolder => Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner", "runtimes", "linux-x64", "native");

    private static Func<(PyTorchInstall?, string?)> Python(string? site) =>
        () => PyTorchProbe.Find(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["PYTHONPATH"] = site ?? "" });

    [Fact]
    public void Python_reports_pytorchs_version_cuda_lib_folder_and_gpu()
    {
        var site = LibtorchFixtures.FakePyTorch(_dir, "2.11.0+cu130", "13.0", cudaAvailable: true);
        var (install, missing) = Python(site)();
        Assert.Null(missing);
        Assert.Equal(new PyTorchInstall("2.11.0+cu130", "13.0", Path.Combine(site, "torch", "lib"), true, 91900), install);

        var (none, why) = Python(null)();
        Assert.Null(none);
        Assert.Equal("import torch: ModuleNotFoundError: No module named 'torch'", why);
    }

    [Fact]
    public void Auto_takes_a_cuda_capable_pytorch_on_a_machine_with_an_nvidia_driver()
    {
        var site = LibtorchFixtures.FakePyTorch(_dir, "2.11.0+cu130", "13.0", cudaAvailable: true);
        var choice = new LibtorchResolver(BundledFolder, Python(site), nvidiaDriver: true).Resolve("auto");

        Assert.Equal(Path.Combine(site, "torch", "lib"), choice.Folder);
        Assert.Equal("auto: PyTorch 2.11.0+cu130 with CUDA 13.0, found by python3", choice.Reason);
        Assert.Equal("2.11.0+cu130 (PyTorch)", choice.Build!.Describe());
        Assert.Null(choice.Warning); // 2.11 is verified
        var env = choice.RunnerEnvironment($"/usr/local/lib:{BundledFolder}:/opt/x");
        Assert.Equal(choice.Folder, env[RunnerEnvironment.LibtorchDir]);
        Assert.Equal($"{choice.Folder}:/usr/local/lib:/opt/x", env[RunnerEnvironment.LibraryPath]); // no other libtorch on the path
    }

    [Fact]
    public void Auto_falls_back_to_the_bundled_cpu_build_and_says_why()
    {
        var noDriver = new LibtorchResolver(BundledFolder, () => throw new InvalidOperationException("python is not asked without a driver"), nvidiaDriver: false).Resolve("auto");
        Assert.Equal((true, "auto: the bundled CPU build (no NVIDIA driver on this machine)", "2.10.0 (bundled)"), (noDriver.Bundled, noDriver.Reason, noDriver.Build!.Describe()));
        Assert.Equal("", noDriver.RunnerEnvironment(BundledFolder)[RunnerEnvironment.LibraryPath]);

        var cpuTorch = LibtorchFixtures.FakePyTorch(_dir, "2.10.0+cpu", null, cudaAvailable: false);
        var cpu = new LibtorchResolver(BundledFolder, Python(cpuTorch), nvidiaDriver: true).Resolve("auto");
        Assert.Equal((true, "auto: the bundled CPU build (PyTorch 2.10.0+cpu is a CPU build)"), (cpu.Bundled, cpu.Reason));

        var none = new LibtorchResolver(BundledFolder, Python(null), nvidiaDriver: true).Resolve("auto");
        Assert.Equal("auto: the bundled CPU build (no PyTorch (import torch: ModuleNotFoundError: No module named 'torch'))", none.Reason);
    }

    [Fact]
    public void A_build_without_libtorch_uses_pytorchs_cpu_libtorch_or_says_there_is_none()
    {
        var empty = _dir.File("bundle/runner/runtimes/linux-x64/native");
        Directory.CreateDirectory(empty);
        var site = LibtorchFixtures.FakePyTorch(_dir, "2.10.0+cpu", null, cudaAvailable: false);

        var cpu = new LibtorchResolver(empty, Python(site), nvidiaDriver: false).Resolve("auto");
        Assert.Equal(Path.Combine(site, "torch", "lib"), cpu.Folder);

        var e = Assert.Throws<RunnerSetupException>(() => new LibtorchResolver(empty, Python(null), nvidiaDriver: true).Resolve("auto"));
        Assert.Equal($"execution.libtorch is auto, but there is no libtorch to use: this build carries none ({empty} has no libtorch_cpu.so) and no PyTorch "
                     + "(import torch: ModuleNotFoundError: No module named 'torch'); install PyTorch, or set execution.libtorch (or ORCHESTRATOR_LIBTORCH) to a folder holding libtorch", e.Message);
        var bundled = Assert.Throws<RunnerSetupException>(() => new LibtorchResolver(empty, Python(null), nvidiaDriver: true).Resolve("bundled"));
        Assert.StartsWith($"execution.libtorch is bundled, but this build carries no libtorch ({empty} has no libtorch_cpu.so;", bundled.Message);
    }

    [Fact]
    public void A_folder_must_exist_and_hold_libtorch()
    {
        var resolver = new LibtorchResolver(BundledFolder, Python(null), nvidiaDriver: false);
        _dir.Write("empty/readme.txt", "");
        Assert.Equal($"execution.libtorch is {_dir.File("nope")}, but the folder {_dir.File("nope")} does not exist; give PyTorch's lib folder, or auto or bundled",
            Assert.Throws<RunnerSetupException>(() => resolver.Resolve(_dir.File("nope"))).Message);
        Assert.StartsWith($"execution.libtorch is {_dir.File("empty")}, but {_dir.File("empty")} holds no libtorch_cpu.so; give PyTorch's lib folder",
            Assert.Throws<RunnerSetupException>(() => resolver.Resolve(_dir.File("empty"))).Message);
        Assert.StartsWith($"execution.libtorch is {_dir.File("empty/readme.txt")}, a file; give the folder that holds libtorch_cpu.so",
            Assert.Throws<RunnerSetupException>(() => resolver.Resolve(_dir.File("empty/readme.txt"))).Message);
    }

    [Fact]
    public void A_pytorch_version_torchsharp_was_not_built_for_is_chosen_with_a_warning()
    {
        var site = LibtorchFixtures.FakePyTorch(_dir, "2.9.1+cu126", "12.6", cudaAvailable: true);
        var choice = new LibtorchResolver(BundledFolder, Python(site), nvidiaDriver: true).Resolve("auto");
        Assert.Equal(Path.Combine(site, "torch", "lib"), choice.Folder);
        Assert.Equal(TorchSharpSupport.Warning(choice.Build!), choice.Warning);
        Assert.Contains("libtorch 2.9.1+cu126 in", choice.Warning);
    }
}
