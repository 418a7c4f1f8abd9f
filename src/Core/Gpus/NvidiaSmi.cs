using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Core.Contract;
using Core.Processes;

namespace Core.Gpus;

/// <summary>
/// The machine's NVIDIA GPUs as <c>nvidia-smi</c> lists them (index, UUID, name, memory), and the
/// ones a process may use given its CUDA_VISIBLE_DEVICES. No nvidia-smi, or one that fails, means no GPUs.
/// </summary>
public static class NvidiaSmi
{
    public const string Program = "nvidia-smi";

    /// <summary>One GPU as nvidia-smi reports it.</summary>
    public sealed record Gpu(int Index, string Uuid, string Name, long MemoryMib);

    /// <summary>Every GPU of the machine, in nvidia-smi's order; empty when there is no nvidia-smi or it fails.</summary>
    public static IReadOnlyList<Gpu> All(TimeSpan? timeout = null)
    {
        var output = Run(["--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"], timeout ?? TimeSpan.FromSeconds(20));
        if (output is null) return [];
        var gpus = new List<Gpu>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length < 4 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out var index)) continue;
            _ = long.TryParse(f[3], CultureInfo.InvariantCulture, out var memory);
            gpus.Add(new Gpu(index, f[1], f[2], memory));
        }
        return gpus;
    }

    /// <summary>
    /// The GPUs a process with this CUDA_VISIBLE_DEVICES may use, in CUDA's order (the first is its
    /// cuda:0), each with the id the variable named it by. Unset: all; empty, -1 or a name that
    /// matches no GPU ends the list there, as CUDA does.
    /// </summary>
    public static IReadOnlyList<GpuInfo> Visible(IReadOnlyList<Gpu> all, string? cudaVisibleDevices)
    {
        if (cudaVisibleDevices is null) return all.Select(g => new GpuInfo(g.Index.ToString(CultureInfo.InvariantCulture), g.Name, g.MemoryMib)).ToList();
        var visible = new List<GpuInfo>();
        foreach (var entry in CudaVisibleDevices.Parse(cudaVisibleDevices))
        {
            var gpu = int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? all.FirstOrDefault(g => g.Index == index)
                : all.FirstOrDefault(g => g.Uuid.StartsWith(entry, StringComparison.OrdinalIgnoreCase));
            if (gpu is null) break;
            visible.Add(new GpuInfo(entry, gpu.Name, gpu.MemoryMib));
        }
        return visible;
    }

    private static string? Run(IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            return ToolProcess.Run(psi, timeout) is { ExitCode: 0 } r ? r.StdOut : null;
        }
        catch (Win32Exception)
        {
            return null; // not installed
        }
    }
}

/// <summary>CUDA_VISIBLE_DEVICES: a comma-separated list of device indices or UUIDs.</summary>
public static class CudaVisibleDevices
{
    /// <summary>The entries in order; "" and "-1" (CUDA's ways to hide every GPU) give none.</summary>
    public static IReadOnlyList<string> Parse(string value)
    {
        var entries = value.Split(',', StringSplitOptions.TrimEntries).ToList();
        var end = entries.FindIndex(e => e.Length == 0 || e.StartsWith('-'));
        return end < 0 ? entries : entries[..end];
    }
}
