namespace Core.Gpus;

/// <summary>Whether this machine has an NVIDIA driver loaded (and so, possibly, GPUs a CUDA build can use).</summary>
public static class NvidiaDriver
{
    public static bool Present => File.Exists("/proc/driver/nvidia/version") || File.Exists("/dev/nvidiactl");
}
