using Core.Libtorch;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// `run` with a libtorch of the user's choosing: the real Runners load it (started from
/// runner-external-libtorch/) and record it with each trial; one that does not load, or is not
/// there, stops the run before anything is recorded, in the Runner's own words.
/// </summary>
[Collection("sweeps")]
public sealed class LibtorchRunTests
{
    [Fact]
    public void Runners_load_the_libtorch_folder_ORCHESTRATOR_LIBTORCH_names_and_record_it_with_each_trial()
    {
        using var dir = new TempDir("libtorch-run");
        var folder = LibtorchFixtures.LinkedLibtorch(dir, "torch/lib");
        var spec = TinySweep.Write(dir, "ext", ["model.hidden: [16]"], epochs: 1, maxSteps: 4, checkpointEvery: 0, parallel: 1);
        var store = new StoreProbe(dir.File("results/orchestrator.db"));

        var run = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { [Core.Spec.LibtorchSetting.EnvironmentVariable] = folder }, "run", spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"libtorch: 2.10.0 (the libtorch package libtorch-cpu-linux-x64) in {folder}; ORCHESTRATOR_LIBTORCH: {folder}", run.StdOut);
        var trial = Assert.Single(store.Trials("ext"));
        // The Runner names what it mapped: the package's files the links lead to, not a libtorch of its own.
        Assert.Equal(("cpu", "2.10.0 (the libtorch package libtorch-cpu-linux-x64)"), (trial.Device, trial.LibtorchVersion));
    }

    [Fact]
    public void A_libtorch_that_does_not_load_stops_the_run_before_any_trial_with_the_loaders_words()
    {
        using var dir = new TempDir("libtorch-broken");
        var broken = dir.Write("broken/libtorch_cpu.so", "not a library");
        var folder = Path.GetDirectoryName(broken)!;
        var spec = TinySweep.Write(dir, "broken", ["model.hidden: [16]"], execution: [$"libtorch: {folder}"]);

        var run = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: the Runner cannot use libtorch unknown version (a libtorch folder) in {folder} (execution.libtorch: {folder}): "
                        + $"libtorch in {folder} cannot be used: libtorch_cpu.so does not load: {broken}: file too short. "
                        + "Point execution.libtorch (or ORCHESTRATOR_LIBTORCH) at PyTorch's lib folder", run.StdErr);
        Assert.Contains("nothing was run or recorded", run.StdErr);
        Assert.DoesNotContain("LoadNativeBackend", run.StdErr + run.StdOut);
        Assert.DoesNotContain("   at ", run.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }

    [Fact]
    public void A_libtorch_folder_that_is_not_there_is_bad_input_naming_where_it_was_set()
    {
        using var dir = new TempDir("libtorch-missing");
        var spec = TinySweep.Write(dir, "missing", ["model.hidden: [16]"]);

        var run = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = "no/such/torch/lib" }, "run", spec);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: ORCHESTRATOR_LIBTORCH is no/such/torch/lib, but the folder {dir.File("no/such/torch/lib")} does not exist; give PyTorch's lib folder, or auto or bundled", run.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }
}
