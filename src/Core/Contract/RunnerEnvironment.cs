using System.Globalization;

namespace Core.Contract;

/// <summary>
/// The environment variables through which whoever starts a Runner places it (docs/contract.md,
/// "Starting a Runner"): which libtorch it loads, which GPU it sees, which MPS daemon it joins, and
/// how many threads its native pools use (<see cref="ForThreads"/>).
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

    /// <summary>
    /// The thread settings every Runner gets: native BLAS/OpenMP pools follow OMP_NUM_THREADS and
    /// MKL_NUM_THREADS as well as torch.set_num_threads; and OpenMP workers wait passively unless the
    /// user chose otherwise (OMP_WAIT_POLICY set in this process's environment), because spinning
    /// workers collapse when any other process shares the cores (measured here: 12 small trials with
    /// 2 threads each took 220 s of training spinning, 8.7 s waiting passively, on a 2-core machine
    /// with other work running).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForThreads(int threads)
    {
        var n = threads.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = n, ["MKL_NUM_THREADS"] = n };
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) env["OMP_WAIT_POLICY"] = "PASSIVE";
        return env;
    }
}
