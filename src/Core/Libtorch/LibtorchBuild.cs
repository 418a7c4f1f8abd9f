namespace Core.Libtorch;

/// <summary>
/// What a folder of libtorch libraries holds, as far as files tell: where it is, where it came from,
/// its version and the CUDA version it was built for (null on a CPU build or when unknown).
/// </summary>
/// <param name="Folder">The folder holding libtorch_cpu.so (absolute).</param>
/// <param name="Origin">Where it came from, for people: "bundled", "PyTorch", "the libtorch package libtorch-cpu-linux-x64", "a libtorch distribution", "a libtorch folder".</param>
/// <param name="Version">e.g. 2.11.0+cu130 or 2.10.0; null when no file says.</param>
/// <param name="CudaVersion">e.g. 13.0; null for a CPU build or when unknown.</param>
/// <param name="HasCuda">Whether the folder holds libtorch_cuda.so.</param>
public sealed record LibtorchBuild(string Folder, string Origin, string? Version, string? CudaVersion, bool HasCuda)
{
    public const string BundledOrigin = "bundled";

    /// <summary>"2.11.0+cu130 (PyTorch)", "2.10.0 (bundled)", "unknown version (a libtorch folder)": the form stored in trials.libtorch_version.</summary>
    public string Describe() => $"{Version ?? "unknown version"} ({Origin})";

    /// <summary>The same build, as the one shipped with the Runner.</summary>
    public LibtorchBuild AsBundled() => this with { Origin = BundledOrigin };

    /// <summary>major.minor of <see cref="Version"/>, e.g. 2.11; null when unknown.</summary>
    public string? MajorMinor
    {
        get
        {
            if (Version is null) return null;
            var parts = Version.Split('+', '-')[0].Split('.');
            return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : null;
        }
    }
}
