using Core.Contract;
using Core.Gpus;
using Core.Libtorch;
using Core.Store;
using Runner.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Runtime;

/// <summary>What this Runner runs on: the libtorch it loaded, the device, the GPUs it may use.</summary>
internal static class RuntimeProbe
{
    /// <summary>Where a trial trains, as recorded with it (<see cref="TrialRepository.RecordRuntime"/>).</summary>
    public static TrialRuntime ForTrial(Device device)
    {
        var onGpu = device.type == DeviceType.CUDA;
        var libtorch = LoadedLibtorch.Describe();
        var gpu = onGpu ? VisibleGpus().FirstOrDefault()?.Name ?? "unknown GPU" : null;
        return new TrialRuntime(DeviceChoice.NameOf(device), gpu, libtorch?.Describe(), onGpu ? libtorch?.CudaVersion : null, CudaVisibleDevices);
    }

    /// <summary>The check report of <c>runner check</c>, with <paramref name="step"/> as measured.</summary>
    public static RunnerCheck Check(Device device, StepSpeed? step)
    {
        var loaded = LoadedLibtorch.Folder(); // one read of /proc/self/maps for both
        var libtorch = LoadedLibtorch.Describe(loaded);
        var cuda = cuda_is_available();
        return new RunnerCheck
        {
            Dotnet = Environment.Version.ToString(),
            Torchsharp = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
            LibtorchLoaded = loaded,
            Libtorch = libtorch is null ? null : new LibtorchInfo(libtorch.Folder, libtorch.Origin, libtorch.Version, libtorch.CudaVersion, libtorch.HasCuda),
            Device = DeviceChoice.NameOf(device),
            CudaAvailable = cuda,
            CudaDevices = cuda ? torch.cuda.device_count() : 0,
            CudnnAvailable = cuda && torch.cuda.is_cudnn_available(),
            Gpus = VisibleGpus(),
            CudaVisibleDevices = CudaVisibleDevices,
            Step = step,
        };
    }

    private static string? CudaVisibleDevices => Environment.GetEnvironmentVariable(RunnerEnvironment.CudaVisibleDevices);

    private static IReadOnlyList<GpuInfo> VisibleGpus() => NvidiaSmi.Visible(NvidiaSmi.All(), CudaVisibleDevices);
}
