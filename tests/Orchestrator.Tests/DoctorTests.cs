using System.Text.Json;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// `orchestrator doctor` as a user runs it: on this machine (CPU, bundled libtorch, no NVIDIA tools)
/// every check passes and a real Runner times real training steps; each thing that would make a run
/// fail makes doctor exit 1 and names its check.
/// </summary>
[Collection("sweeps")]
public sealed class DoctorTests
{
    private static JsonElement Json(ProcessResult r)
    {
        try { return JsonDocument.Parse(r.StdOut).RootElement.Clone(); }
        catch (JsonException) { throw new Xunit.Sdk.XunitException($"doctor --json did not print JSON\n{r}"); }
    }

    private static JsonElement CheckOf(JsonElement report, string name) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static string Status(JsonElement report, string name) => CheckOf(report, name).GetProperty("status").GetString()!;

    [Fact]
    public void On_this_machine_every_check_passes_and_a_real_runner_trains_on_the_cpu()
    {
        using var dir = new TempDir("doctor");
        var spec = TinySweep.Write(dir, "doc", ["model.hidden: [16]"]);
        var sha = Core.Data.FileHash.Sha256(dir.File("corpus.txt"));
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("  val_fraction: 0.1", $"  val_fraction: 0.1\n  sha256: {sha}", StringComparison.Ordinal));

        var r = OrchestratorCli.Run(dir.Path, "doctor", spec, "--json", "--steps", "3");

        Assert.True(r.ExitCode == 0, r.ToString());
        var report = Json(r);
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.Equal(["dotnet", "torchsharp", "libtorch", "device", "gpu", "cudnn", "training step", "mps", "fonts", "database", "corpus", "estimate"],
            report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.All(report.GetProperty("checks").EnumerateArray(), c => Assert.Equal("ok", c.GetProperty("status").GetString()));

        var libtorch = CheckOf(report, "libtorch").GetProperty("details");
        Assert.Equal(("2.10.0", "bundled", false), (libtorch.GetProperty("version").GetString(), libtorch.GetProperty("origin").GetString(), libtorch.GetProperty("cuda").GetBoolean()));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner", "runtimes", "linux-x64", "native"), libtorch.GetProperty("loaded").GetString());
        Assert.Equal("0.107.0", CheckOf(report, "torchsharp").GetProperty("details").GetProperty("version").GetString());
        Assert.Equal("cpu", CheckOf(report, "device").GetProperty("details").GetProperty("device").GetString());
        var step = CheckOf(report, "training step").GetProperty("details");
        Assert.Equal((3, 256), (step.GetProperty("steps").GetInt32(), step.GetProperty("hidden").GetInt32()));
        Assert.True(step.GetProperty("chars_per_sec").GetDouble() > 0);
        Assert.Contains("with the right sha256", CheckOf(report, "corpus").GetProperty("finding").GetString());
        Assert.StartsWith($"{dir.File("results/orchestrator.db")} does not exist yet", CheckOf(report, "database").GetProperty("finding").GetString());
        Assert.True(CheckOf(report, "fonts").GetProperty("details").GetProperty("text_pixels").GetInt32() > 200);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")), "doctor created the database");
    }

    [Fact]
    public void What_would_make_a_run_fail_fails_its_check_and_doctor_exits_1_naming_them()
    {
        using var dir = new TempDir("doctor-fail");
        var spec = TinySweep.Write(dir, "doc", ["model.hidden: [16]"], execution: ["mps: true"]);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("  val_fraction: 0.1", $"  val_fraction: 0.1\n  sha256: {new string('0', 64)}", StringComparison.Ordinal));
        dir.Write("results/orchestrator.db", "this is not a database, it only has its name");

        var r = OrchestratorCli.Run(dir.Path, "doctor", spec, "--steps", "0");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: a run would fail: mps, database, corpus (see above)", r.StdErr);
        var json = Json(OrchestratorCli.Run(dir.Path, "doctor", spec, "--steps", "0", "--json"));
        Assert.Equal(["mps", "database", "corpus"], json.GetProperty("failed").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("execution.mps is true, but nvidia-cuda-mps-control is not on the PATH", CheckOf(json, "mps").GetProperty("finding").GetString());
        Assert.StartsWith($"{dir.File("results/orchestrator.db")} cannot be written: ", CheckOf(json, "database").GetProperty("finding").GetString());
        Assert.Contains($"but data.sha256 is {new string('0', 64)}; put the right file there", CheckOf(json, "corpus").GetProperty("finding").GetString());
        Assert.Equal("ok", Status(json, "libtorch"));
    }

    [Fact]
    public void A_libtorch_that_does_not_load_fails_the_libtorch_check_in_the_runners_words()
    {
        using var dir = new TempDir("doctor-libtorch");
        var broken = Path.GetDirectoryName(dir.Write("broken/libtorch_cpu.so", "not a library"))!;

        var r = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = broken }, "doctor", "--json", "--steps", "0");

        Assert.Equal(1, r.ExitCode);
        var json = Json(r);
        Assert.Equal(["libtorch"], json.GetProperty("failed").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains($"libtorch in {broken} cannot be used: libtorch_cpu.so does not load: {broken}/libtorch_cpu.so: file too short", CheckOf(json, "libtorch").GetProperty("finding").GetString());
    }

    [Fact]
    public void A_libtorch_folder_doctor_shows_where_the_runner_really_loaded_it_from_and_warns_about_its_version()
    {
        using var dir = new TempDir("doctor-pytorch");
        var site = LibtorchFixtures.FakePyTorch(dir, "2.9.1+cpu", null, cudaAvailable: false);
        var lib = Path.Combine(site, "torch", "lib");
        var env = new Dictionary<string, string> { ["ORCHESTRATOR_LIBTORCH"] = lib, ["CUDA_MPS_PIPE_DIRECTORY"] = dir.File("mps") };
        Directory.CreateDirectory(dir.File("mps"));
        File.WriteAllText(dir.File("mps/control"), ""); // where a running daemon has its control pipe

        var r = OrchestratorCli.Run(dir.Path, env, "doctor", "--json", "--steps", "0");

        Assert.True(r.ExitCode == 0, r.ToString()); // a warning is not a failure
        var json = Json(r);
        var libtorch = CheckOf(json, "libtorch");
        Assert.Equal("warn", libtorch.GetProperty("status").GetString());
        Assert.Equal(lib, libtorch.GetProperty("details").GetProperty("chosen").GetString());
        Assert.Equal(LibtorchFixtures.PackageNatives, libtorch.GetProperty("details").GetProperty("loaded").GetString()); // the links' target, not the Runner's own
        Assert.Contains("libtorch 2.9.1+cpu in", libtorch.GetProperty("finding").GetString());
        Assert.Contains("may fail to load or crash", libtorch.GetProperty("finding").GetString());
        Assert.Equal($"a daemon is running (pipes in {dir.File("mps")}); execution.mps: auto joins it", CheckOf(json, "mps").GetProperty("finding").GetString());
    }
}
