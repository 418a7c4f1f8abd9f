using System.Globalization;

namespace Core.Config;

/// <summary>This machine's memory as a process may use it: MemTotal of /proc/meminfo, lowered by a cgroup limit (memory.max); elsewhere what .NET sees.</summary>
internal static class MachineMemory
{
    public static long TotalBytes { get; } = Read();

    private static long Read()
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (!OperatingSystem.IsLinux()) return total;
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                total = kib * 1024;
            if (File.Exists("/sys/fs/cgroup/memory.max")
                && long.TryParse(File.ReadAllText("/sys/fs/cgroup/memory.max").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
                total = Math.Min(total, limit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep what .NET sees.
        }
        return total;
    }
}
