namespace Core.Contract;

/// <summary>
/// The environment variables through which whoever starts a Runner places it (docs/contract.md,
/// "Starting a Runner"): which libtorch it loads, which GPU it sees, which MPS daemon it joins.
/// </summary>
public static class RunnerEnvironment
{
    /// <summary>
    /// A folder holding libtorch_cpu.so (and libtorch_cuda.so for CUDA), e.g. PyTorch's torch/lib:
    /// the Runner loads libtorch from there, not its bundled copy. Unset: the bundled libtorch.
    /// </summary>
    public const string LibtorchDir = "ORCHESTRATOR_LIBTORCH_DIR";

    /// <summary>The library path; the folder above comes first in it.</summary>
    public const string LibraryPath = "LD_LIBRARY_PATH";

    /// <summary>The GPUs the Runner may use (CUDA's own variable); recorded with the attempt.</summary>
    public const string CudaVisibleDevices = "CUDA_VISIBLE_DEVICES";

    /// <summary>Where the NVIDIA MPS daemon the Runner joins has its pipes (CUDA's own variable).</summary>
    public const string MpsPipeDirectory = "CUDA_MPS_PIPE_DIRECTORY";
}
