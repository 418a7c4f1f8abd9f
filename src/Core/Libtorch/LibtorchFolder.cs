using System.Text.Json;
using System.Text.RegularExpressions;

namespace Core.Libtorch;

/// <summary>
/// Reads what a libtorch folder is from the files around it, without loading anything: PyTorch's
/// <c>torch/lib</c> (its <c>torch/version.py</c>), a libtorch distribution (<c>build-version</c>), a
/// NuGet libtorch package (its path), or the natives of a .NET build output (its <c>*.deps.json</c>).
/// </summary>
public static partial class LibtorchFolder
{
    public const string CpuLibrary = "libtorch_cpu.so";
    public const string CudaLibrary = "libtorch_cuda.so";

    /// <summary>Where a .NET build output keeps its linux-x64 natives (libtorch among them), below the app's folder.</summary>
    public const string NativeSubfolder = "runtimes/linux-x64/native";

    /// <summary>The command (in backticks, for messages) that prints PyTorch's lib folder, the folder to give as a libtorch.</summary>
    public const string PyTorchLibCommand = "`python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), \"lib\"))'`";

    /// <summary>The natives folder of the .NET app in <paramref name="app"/>: APP/<see cref="NativeSubfolder"/>.</summary>
    public static string NativesOf(string app) => Path.Combine(app, NativeSubfolder);

    /// <summary>The app folder a natives folder belongs to (the inverse of <see cref="NativesOf"/>): as many levels up as <see cref="NativeSubfolder"/> is deep.</summary>
    private static string AppOfNatives(string natives) =>
        Path.GetFullPath(Path.Combine(natives, string.Join('/', NativeSubfolder.Split('/').Select(_ => ".."))));

    /// <summary>Whether <paramref name="folder"/> holds libtorch (its libtorch_cpu.so).</summary>
    public static bool HasLibtorch(string folder) => File.Exists(Path.Combine(folder, CpuLibrary));

    public static LibtorchBuild Describe(string folder)
    {
        folder = Path.GetFullPath(folder);
        var hasCuda = File.Exists(Path.Combine(folder, CudaLibrary));
        return FromPyTorch(folder, hasCuda) ?? FromDistribution(folder, hasCuda) ?? FromPackagePath(folder, hasCuda)
               ?? FromDepsJson(folder, hasCuda) ?? new LibtorchBuild(folder, "a libtorch folder", null, null, hasCuda);
    }

    /// <summary>PyTorch: the folder is torch/lib, and torch/version.py holds <c>__version__</c> and <c>cuda</c>.</summary>
    private static LibtorchBuild? FromPyTorch(string folder, bool hasCuda)
    {
        var versionPy = Path.Combine(folder, "..", "version.py");
        if (!File.Exists(versionPy)) return null;
        var text = File.ReadAllText(versionPy);
        if (PyVersion().Match(text) is not { Success: true } version) return null;
        var cuda = PyCuda().Match(text) is { Success: true, Groups: var g } && g[1].Success ? g[1].Value : null;
        return new LibtorchBuild(folder, "PyTorch", version.Groups[1].Value, cuda, hasCuda);
    }

    /// <summary>A libtorch zip from pytorch.org: lib/ beside build-version ("2.10.0+cu128").</summary>
    private static LibtorchBuild? FromDistribution(string folder, bool hasCuda)
    {
        var file = Path.Combine(folder, "..", "build-version");
        if (!File.Exists(file)) return null;
        var version = File.ReadAllText(file).Trim();
        return version.Length == 0 ? null : new LibtorchBuild(folder, "a libtorch distribution", version, CudaOfLocalVersion(version), hasCuda);
    }

    /// <summary>A NuGet package's natives, e.g. …/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native (also through symbolic links to its files).</summary>
    private static LibtorchBuild? FromPackagePath(string folder, bool hasCuda)
    {
        var library = Path.Combine(folder, CpuLibrary);
        var real = File.Exists(library) ? new FileInfo(library).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? library : library;
        if (PackagePath().Match(real) is not { Success: true } m) return null;
        return new LibtorchBuild(folder, $"the libtorch package {m.Groups["package"].Value}", m.Groups["version"].Value, NullIfEmpty(m.Groups["cuda"].Value), hasCuda);
    }

    /// <summary>The natives of a .NET build output (APP/runtimes/linux-x64/native): the libtorch package its deps.json lists.</summary>
    private static LibtorchBuild? FromDepsJson(string folder, bool hasCuda)
    {
        var app = AppOfNatives(folder);
        if (!Directory.Exists(app)) return null;
        foreach (var deps in Directory.EnumerateFiles(app, "*.deps.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(deps));
            if (!json.RootElement.TryGetProperty("libraries", out var libraries)) continue;
            foreach (var library in libraries.EnumerateObject())
            {
                if (PackageName().Match(library.Name) is not { Success: true } m) continue;
                return new LibtorchBuild(folder, $"the libtorch package {m.Groups["package"].Value}", m.Groups["version"].Value, NullIfEmpty(m.Groups["cuda"].Value), hasCuda);
            }
        }
        return null;
    }

    /// <summary>"2.11.0+cu130" → "13.0", "2.10.0+cu128" → "12.8"; null for +cpu or no local part.</summary>
    public static string? CudaOfLocalVersion(string version)
    {
        var m = LocalCuda().Match(version);
        if (!m.Success) return null;
        var digits = m.Groups[1].Value;
        return $"{digits[..^1]}.{digits[^1..]}";
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    [GeneratedRegex("""^__version__\s*=\s*['"]([^'"]+)['"]""", RegexOptions.Multiline)]
    private static partial Regex PyVersion();

    [GeneratedRegex("""^cuda\s*(?::[^=\n]*)?=\s*(?:['"]([^'"]+)['"]|None)""", RegexOptions.Multiline)]
    private static partial Regex PyCuda();

    [GeneratedRegex(@"/(?<package>libtorch-(?:cpu|cuda-(?<cuda>\d+\.\d+))-linux-x64)/(?<version>\d+\.\d+\.\d+)[^/]*/runtimes/", RegexOptions.IgnoreCase)]
    private static partial Regex PackagePath();

    [GeneratedRegex(@"^(?<package>libtorch-(?:cpu|cuda-(?<cuda>\d+\.\d+))-linux-x64)/(?<version>\d+\.\d+\.\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PackageName();

    [GeneratedRegex(@"\+cu(\d{2,3})\b")]
    private static partial Regex LocalCuda();
}
