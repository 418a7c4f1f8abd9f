using System.Globalization;
using Core.Contract;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Every GPU of a node: Runners are started with CUDA_VISIBLE_DEVICES so that each GPU holds at
/// most trials_per_gpu trials at once. This machine has no GPU, so the assignment is checked where a
/// user would look: each attempt's CUDA_VISIBLE_DEVICES, as the real Runner recorded it.
/// </summary>
[Collection("sweeps")]
public sealed class GpuAssignmentTests
{
    private static Dictionary<string, string> Env(string? cudaVisibleDevices) =>
        new() { [RunnerEnvironment.CudaVisibleDevices] = cudaVisibleDevices ?? "" };

    [Fact]
    public void A_gpu_list_gives_each_runner_one_gpu_and_no_gpu_more_trials_at_once_than_trials_per_gpu()
    {
        using var dir = new TempDir("gpus");
        var spec = TinySweep.Write(dir, "gpus", ["model.hidden: [16, 20, 24, 28]"], epochs: 1, maxSteps: 6, checkpointEvery: 0, parallel: 4,
            execution: ["gpus: [0, 1]", "trials_per_gpu: 1"]);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        var run = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("GPUs: 0, 1 (at most 1 trial(s) each), one per Runner in CUDA_VISIBLE_DEVICES", run.StdOut);
        Assert.Contains("running 4 trial(s), 2 at a time", run.StdOut); // 2 GPUs × 1 caps parallel 4
        var attempts = store.Trials("gpus").Select(t => Assert.Single(store.Attempts(t.TrialId))).ToList();
        Assert.All(attempts, a => Assert.Contains(a.CudaVisibleDevices, new[] { "0", "1" }));
        Assert.Equal(["0", "1"], attempts.Select(a => a.CudaVisibleDevices!).Distinct().Order());
        foreach (var onOneGpu in attempts.GroupBy(a => a.CudaVisibleDevices))
        {
            var inOrder = onOneGpu.OrderBy(a => a.StartedAt, StringComparer.Ordinal).ToList();
            for (var i = 1; i < inOrder.Count; i++)
                Assert.True(Instant(inOrder[i].StartedAt) >= Instant(inOrder[i - 1].EndedAt!),
                    $"two trials ran on GPU {onOneGpu.Key} at once: {inOrder[i - 1].TrialId} until {inOrder[i - 1].EndedAt}, {inOrder[i].TrialId} from {inOrder[i].StartedAt}");
        }
    }

    [Fact]
    public void Auto_spreads_trials_over_the_gpus_visible_to_the_orchestrator()
    {
        using var dir = new TempDir("gpus-auto");
        var spec = TinySweep.Write(dir, "auto", ["model.hidden: [16, 20]"], epochs: 1, maxSteps: 4, checkpointEvery: 0, parallel: 2,
            execution: ["gpus: auto"], device: "auto");
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        var run = OrchestratorCli.Run(dir.Path, Env("3,5"), "run", spec); // as Slurm sets it for a job given two GPUs

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("GPUs: 3, 5 (trials spread evenly)", run.StdOut);
        Assert.Equal(["3", "5"], store.Trials("auto").Select(t => Assert.Single(store.Attempts(t.TrialId)).CudaVisibleDevices!).Order());
    }

    [Fact]
    public void A_listed_gpu_is_the_kth_gpu_the_orchestrator_sees_as_in_cuda()
    {
        using var dir = new TempDir("gpus-map");
        var spec = TinySweep.Write(dir, "map", ["model.hidden: [16]"], epochs: 1, maxSteps: 4, checkpointEvery: 0, parallel: 1,
            execution: ["gpus: [1]"]);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        var run = OrchestratorCli.Run(dir.Path, Env("4,6"), "run", spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("6", Assert.Single(store.Attempts(Assert.Single(store.Trials("map")).TrialId)).CudaVisibleDevices);
    }

    [Fact]
    public void A_listed_gpu_the_orchestrator_cannot_see_stops_the_run_before_anything_is_recorded()
    {
        using var dir = new TempDir("gpus-bad");
        var spec = TinySweep.Write(dir, "bad", ["model.hidden: [16]"], execution: ["gpus: [0, 2]"]);

        var run = OrchestratorCli.Run(dir.Path, Env("4,6"), "run", spec);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: execution.gpus lists GPU 2, but CUDA_VISIBLE_DEVICES=4,6 lets this process see only 2 GPU(s) (0 to 1); list those, or write gpus: auto", run.StdErr);
        Assert.Contains("nothing was run or recorded", run.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }

    private static DateTimeOffset Instant(string stamp) => DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture);
}
