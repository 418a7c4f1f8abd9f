using Core.Libtorch;

namespace Runner.Runtime;

/// <summary>
/// The libtorch this process really mapped: the folder of the libtorch_cpu.so in /proc/self/maps,
/// described from the files around it (<see cref="LibtorchFolder"/>), as "bundled" when it is the
/// Runner's own copy.
/// </summary>
internal static class LoadedLibtorch
{
    /// <summary>The folders the Runner's build carries natives in: APP/runtimes/linux-x64/native, and APP itself for a RID-specific publish.</summary>
    public static IReadOnlyList<string> BundledFolders { get; } =
    [
        Path.GetFullPath(LibtorchFolder.NativesOf(AppContext.BaseDirectory)),
        Path.GetFullPath(AppContext.BaseDirectory).TrimEnd('/'),
    ];

    /// <summary>The mapped libtorch_cpu.so's folder; null before TorchSharp loaded it, or off Linux.</summary>
    public static string? Folder()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        foreach (var line in File.ReadLines(maps))
        {
            // address perms offset dev inode   path
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            var path = line[slash..];
            if (path.EndsWith("/" + LibtorchFolder.CpuLibrary, StringComparison.Ordinal)) return Path.GetDirectoryName(path);
        }
        return null;
    }

    /// <summary>What the mapped libtorch is; null when none is mapped.</summary>
    public static LibtorchBuild? Describe() => Describe(Folder());

    /// <summary>What the libtorch in <paramref name="folder"/> (as <see cref="Folder"/> found it) is; null for null.</summary>
    public static LibtorchBuild? Describe(string? folder)
    {
        if (folder is null) return null;
        var build = LibtorchFolder.Describe(folder);
        return BundledFolders.Contains(folder.TrimEnd('/')) ? build.AsBundled() : build;
    }
}
