using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Libtorch folders for tests, made of symbolic links to the real CPU libtorch of the NuGet cache (the
/// build links its files from there): a folder the Runner really loads, outside its own; and a fake
/// PyTorch package around such a folder (this machine has no PyTorch) that the real python3 imports.
/// </summary>
internal static class LibtorchFixtures
{
    public const string PackageVersion = "2.10.0";

    /// <summary>The CPU libtorch natives in the NuGet cache (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    public static string PackageNatives
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var natives = Path.Combine(cache, "libtorch-cpu-linux-x64", PackageVersion, "runtimes", "linux-x64", "native");
            return Directory.Exists(natives) ? natives : throw new DirectoryNotFoundException($"{natives} is missing; restore the solution first");
        }
    }

    /// <summary>A folder at <paramref name="relative"/> of symbolic links to every file of <see cref="PackageNatives"/>.</summary>
    public static string LinkedLibtorch(TempDir dir, string relative)
    {
        var folder = dir.File(relative);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(PackageNatives))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), file);
        return folder;
    }

    /// <summary>
    /// A package <c>torch</c> under <c>site/</c> (put it on PYTHONPATH) that says what a PyTorch of
    /// <paramref name="version"/> built for <paramref name="cuda"/> (null: CPU) would say, with its
    /// lib folder linked to the real libtorch. Returns the site folder.
    /// </summary>
    public static string FakePyTorch(TempDir dir, string version, string? cuda, bool cudaAvailable)
    {
        LinkedLibtorch(dir, "site/torch/lib");
        dir.Write("site/torch/version.py", $"__version__ = '{version}'\ncuda = {(cuda is null ? "None" : $"'{cuda}'")}\n");
        dir.Write("site/torch/__init__.py", $$"""
            from . import version
            __version__ = version.__version__

            class cuda:
                @staticmethod
                def is_available():
                    return {{(cudaAvailable ? "True" : "False")}}

            class backends:
                class cudnn:
                    @staticmethod
                    def version():
                        return 91900
            """);
        return dir.File("site");
    }
}
