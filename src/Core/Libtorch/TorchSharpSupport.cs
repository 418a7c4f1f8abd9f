namespace Core.Libtorch;

/// <summary>
/// Which libtorch versions the Runner's TorchSharp works with. TorchSharp 0.107.0's
/// libLibTorchSharp.so is built for libtorch 2.10; it was also measured to load and train on CUDA
/// against PyTorch 2.11's libtorch (an H100, PyTorch 2.11.0+cu130). Any other version may fail to
/// load or crash, so it gets a warning.
/// </summary>
public static class TorchSharpSupport
{
    /// <summary>The TorchSharp package the Runner references (a Runner test keeps this equal to the loaded assembly's version).</summary>
    public const string TorchSharpVersion = "0.107.0";

    /// <summary>The libtorch TorchSharp was built for (major.minor).</summary>
    public const string BuiltFor = "2.10";

    /// <summary>Other libtorch versions (major.minor) measured to work with it.</summary>
    public static readonly IReadOnlyList<string> Verified = ["2.11"];

    /// <summary>A warning when <paramref name="build"/>'s version is not one TorchSharp was built for or verified with; null when it is.</summary>
    public static string? Warning(LibtorchBuild build)
    {
        var known = $"TorchSharp {TorchSharpVersion} was built for libtorch {BuiltFor} ({string.Join(", ", Verified)} verified too)";
        if (build.MajorMinor is not { } version)
            return $"the libtorch version in {build.Folder} is unknown (no torch/version.py, build-version or package path says it); {known}, so it may fail to load or crash";
        if (version == BuiltFor || Verified.Contains(version)) return null;
        return $"libtorch {build.Version} in {build.Folder}: {known}; {version} may fail to load or crash. "
               + "Use a PyTorch of a verified version, or set execution.libtorch: bundled";
    }
}
