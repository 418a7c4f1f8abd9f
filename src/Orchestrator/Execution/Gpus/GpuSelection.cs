using System.Globalization;
using Core.Contract;
using Core.Gpus;
using Core.Spec;

namespace Orchestrator.Execution.Gpus;

/// <summary>
/// The GPUs a run spreads its trials over, each as the CUDA_VISIBLE_DEVICES value its Runners get:
/// <c>execution.gpus</c>'s list, or with <c>auto</c> every GPU visible to this process (its own
/// CUDA_VISIBLE_DEVICES, as Slurm sets it, else every GPU nvidia-smi lists); none on the CPU.
/// </summary>
internal static class GpuSelection
{
    /// <summary>The ids to hand out; empty when Runners get no CUDA_VISIBLE_DEVICES of their own.</summary>
    public static IReadOnlyList<string> Resolve(ExecutionConfig execution)
    {
        var inherited = Environment.GetEnvironmentVariable(RunnerEnvironment.CudaVisibleDevices);
        var visible = inherited is null ? null : CudaVisibleDevices.Parse(inherited);
        if (execution.Gpus is { } listed)
        {
            // Device k of the list is the k-th GPU this process sees, as in CUDA: under CUDA_VISIBLE_DEVICES=2,3, [0, 1] means 2 and 3.
            if (visible is null) return listed.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            if (listed.FirstOrDefault(i => i >= visible.Count, -1) is var missing and >= 0)
                throw new RunnerSetupException($"execution.gpus lists GPU {missing}, but {RunnerEnvironment.CudaVisibleDevices}={inherited} lets this process see only "
                                               + $"{visible.Count} GPU(s) (0 to {visible.Count - 1}); list those, or write gpus: auto");
            return listed.Select(i => visible[i]).ToList();
        }
        if (execution.Device == "cpu") return [];
        if (visible is not null) return visible;
        return NvidiaDriver.Present ? NvidiaSmi.All().Select(g => g.Index.ToString(CultureInfo.InvariantCulture)).ToList() : [];
    }
}
