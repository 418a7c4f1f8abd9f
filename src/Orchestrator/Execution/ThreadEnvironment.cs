using System.Globalization;

namespace Orchestrator.Execution;

/// <summary>
/// The thread settings every Runner gets: native BLAS/OpenMP pools follow OMP_NUM_THREADS and
/// MKL_NUM_THREADS as well as torch.set_num_threads; and OpenMP workers wait passively unless the
/// user chose otherwise, because spinning workers collapse when any other process shares the cores
/// (measured here: 12 small trials with 2 threads each took 220 s of training spinning, 8.7 s
/// waiting passively, on a 2-core machine with other work running).
/// </summary>
public static class ThreadEnvironment
{
    public static IReadOnlyDictionary<string, string> For(int threads)
    {
        var n = threads.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = n, ["MKL_NUM_THREADS"] = n };
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) env["OMP_WAIT_POLICY"] = "PASSIVE";
        return env;
    }
}
