using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// `sample` starts its Runner with the libtorch `run` would choose: ORCHESTRATOR_LIBTORCH's folder
/// (the Runner from runner-external-libtorch/, which really maps it, and says so), else the bundled
/// one; a version TorchSharp was not built for is warned about, and a folder that does not load is
/// bad input in the loader's words, with no trace.
/// </summary>
[Collection("sweeps")]
public sealed class LibtorchSampleTests
{
    [Fact]
    public void Sample_loads_the_libtorch_ORCHESTRATOR_LIBTORCH_names_as_run_does()
    {
        using var dir = new TempDir("libtorch-sample");
        var spec = TinySweep.Write(dir, "smp", ["model.hidden: [16]"], epochs: 1, maxSteps: 8, checkpointEvery: 4, parallel: 1);
        var run = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());
        var trial = Assert.Single(new StoreProbe(dir.File("results/orchestrator.db")).Trials("smp")).TrialId;
        string[] sample = ["sample", "--trial", trial, "--prime", "pe", "--length", "20"];

        var bundled = OrchestratorCli.Run(dir.Path, sample);
        Assert.True(bundled.ExitCode == 0, bundled.ToString());
        var runnerNatives = Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner", "runtimes", "linux-x64", "native");
        Assert.Contains($"on cpu with libtorch 2.10.0 (bundled) in {runnerNatives}", bundled.StdErr);

        var folder = LibtorchFixtures.LinkedLibtorch(dir, "torch/lib");
        var external = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = folder }, sample);
        Assert.True(external.ExitCode == 0, external.ToString());
        Assert.StartsWith("pe", external.StdOut);
        Assert.Equal(bundled.StdOut, external.StdOut); // the same seed and weights, the same text, whichever copy of libtorch 2.10 runs it
        // What the Runner mapped: the package's files the links lead to, not a libtorch of its own.
        Assert.Contains($"on cpu with libtorch 2.10.0 (the libtorch package libtorch-cpu-linux-x64) in {LibtorchFixtures.PackageNatives}", external.StdErr);
        Assert.DoesNotContain("warning:", external.StdErr);

        var site = LibtorchFixtures.FakePyTorch(dir, "2.9.1+cpu", null, cudaAvailable: false);
        var old = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = Path.Combine(site, "torch", "lib") }, sample);
        Assert.True(old.ExitCode == 0, old.ToString());
        Assert.Contains($"warning: libtorch 2.9.1+cpu in {Path.Combine(site, "torch", "lib")}: TorchSharp 0.107.0 was built for libtorch 2.10", old.StdErr);
    }

    [Fact]
    public void A_libtorch_that_does_not_load_or_is_not_there_is_bad_input_for_sample()
    {
        using var dir = new TempDir("libtorch-sample-bad");
        var spec = TinySweep.Write(dir, "smpbad", ["model.hidden: [16]"], epochs: 1, maxSteps: 4, checkpointEvery: 4, parallel: 1);
        var run = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());
        var store = new StoreProbe(dir.File("results/orchestrator.db"));
        var trial = Assert.Single(store.Trials("smpbad")).TrialId;
        var samples = store.Query<long>("SELECT COUNT(*) FROM samples").Single(); // the run's own
        var broken = dir.Write("broken/libtorch_cpu.so", "not a library");
        var folder = Path.GetDirectoryName(broken)!;

        var r = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = folder }, "sample", "--trial", trial);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"libtorch in {folder} cannot be used: libtorch_cpu.so does not load: {broken}: file too short", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.Equal("", r.StdOut);

        var missing = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = "no/such/lib" }, "sample", "--trial", trial);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"error: ORCHESTRATOR_LIBTORCH is no/such/lib, but the folder {dir.File("no/such/lib")} does not exist", missing.StdErr);
        Assert.Equal(samples, store.Query<long>("SELECT COUNT(*) FROM samples").Single()); // neither sampled anything
    }
}
