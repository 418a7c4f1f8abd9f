using Core.Libtorch;
using TestSupport;

namespace Core.Tests;

/// <summary>What a libtorch folder is, read from the files around it, and which versions get a warning.</summary>
public sealed class LibtorchFolderTests : IDisposable
{
    private readonly TempDir dir = new("libtorch-folder");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void PyTorchs_lib_folder_is_described_by_torch_version_py()
    {
        dir.Write("site-packages/torch/version.py", """
            from typing import Optional

            __all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']
            __version__ = '2.11.0+cu130'
            debug = False
            cuda: Optional[str] = '13.0'
            git_version = '0123abcd'
            hip: Optional[str] = None
            """);
        dir.Write("site-packages/torch/lib/libtorch_cpu.so", "");
        dir.Write("site-packages/torch/lib/libtorch_cuda.so", "");

        var build = LibtorchFolder.Describe(dir.File("site-packages/torch/lib"));

        Assert.Equal(new LibtorchBuild(dir.File("site-packages/torch/lib"), "PyTorch", "2.11.0+cu130", "13.0", HasCuda: true), build);
        Assert.Equal("2.11.0+cu130 (PyTorch)", build.Describe());
        Assert.Equal("2.11", build.MajorMinor);
    }

    [Fact]
    public void A_cpu_pytorch_has_no_cuda_version()
    {
        dir.Write("torch/version.py", "__version__ = '2.10.0+cpu'\ncuda: Optional[str] = None\n");
        dir.Write("torch/lib/libtorch_cpu.so", "");
        var build = LibtorchFolder.Describe(dir.File("torch/lib"));
        Assert.Equal(("2.10.0+cpu", (string?)null, false), (build.Version, build.CudaVersion, build.HasCuda));
    }

    [Fact]
    public void A_libtorch_distribution_is_described_by_its_build_version()
    {
        dir.Write("libtorch/build-version", "2.10.0+cu128\n");
        dir.Write("libtorch/lib/libtorch_cpu.so", "");
        var build = LibtorchFolder.Describe(dir.File("libtorch/lib"));
        Assert.Equal(("a libtorch distribution", "2.10.0+cu128", "12.8"), (build.Origin, build.Version, build.CudaVersion));
    }

    [Fact]
    public void The_natives_of_a_build_output_are_described_by_its_deps_json()
    {
        dir.Write("app/Runner.deps.json", """
            { "libraries": { "TorchSharp/0.107.0": { "type": "package" }, "libtorch-cpu-linux-x64/2.10.0": { "type": "package" } } }
            """);
        dir.Write("app/runtimes/linux-x64/native/libtorch_cpu.so", "");
        var build = LibtorchFolder.Describe(dir.File("app/runtimes/linux-x64/native"));
        Assert.Equal(("the libtorch package libtorch-cpu-linux-x64", "2.10.0", (string?)null), (build.Origin, build.Version, build.CudaVersion));
        Assert.Equal("2.10.0 (bundled)", build.AsBundled().Describe());
    }

    [Fact]
    public void Links_into_a_nuget_package_are_described_by_the_package_path()
    {
        dir.Write("packages/libtorch-cuda-12.8-linux-x64/2.10.0.0/runtimes/linux-x64/native/libtorch_cpu.so", "");
        Directory.CreateDirectory(dir.File("links"));
        File.CreateSymbolicLink(dir.File("links/libtorch_cpu.so"), dir.File("packages/libtorch-cuda-12.8-linux-x64/2.10.0.0/runtimes/linux-x64/native/libtorch_cpu.so"));
        var build = LibtorchFolder.Describe(dir.File("links"));
        Assert.Equal(("the libtorch package libtorch-cuda-12.8-linux-x64", "2.10.0", "12.8"), (build.Origin, build.Version, build.CudaVersion));
    }

    [Fact]
    public void A_folder_nothing_describes_has_an_unknown_version()
    {
        dir.Write("somewhere/libtorch_cpu.so", "");
        var build = LibtorchFolder.Describe(dir.File("somewhere"));
        Assert.Equal(("a libtorch folder", (string?)null), (build.Origin, build.Version));
        Assert.Equal("unknown version (a libtorch folder)", build.Describe());
    }

    [Theory]
    [InlineData("2.11.0+cu130", "13.0")]
    [InlineData("2.10.0+cu128", "12.8")]
    [InlineData("2.4.1+cu118", "11.8")]
    [InlineData("2.10.0+cpu", null)]
    [InlineData("2.10.0", null)]
    public void The_cuda_version_of_a_local_version_label(string version, string? cuda) =>
        Assert.Equal(cuda, LibtorchFolder.CudaOfLocalVersion(version));

    [Theory]
    [InlineData("2.10.0", false)]
    [InlineData("2.10.1+cu128", false)]
    [InlineData("2.11.0+cu130", false)]
    [InlineData("2.9.1+cu126", true)]
    [InlineData("2.12.0.dev20260101+cu130", true)]
    [InlineData(null, true)]
    public void Versions_torchsharp_was_not_built_for_or_verified_with_get_a_warning(string? version, bool warned)
    {
        var warning = TorchSharpSupport.Warning(new LibtorchBuild("/x/torch/lib", "PyTorch", version, null, false));
        Assert.Equal(warned, warning is not null);
        if (warning is not null)
        {
            Assert.Contains("/x/torch/lib", warning);
            Assert.Contains("TorchSharp 0.107.0 was built for libtorch 2.10 (2.11 verified too)", warning);
        }
    }
}
