using System.Text.Json;
using Core.Contract;
using Core.Libtorch;
using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>
/// What the Runner says about what it runs on (<c>runner check</c>), what it records with each trial,
/// and how it refuses a libtorch folder it cannot use: the real Runner process, as the orchestrator starts it.
/// </summary>
public sealed class RuntimeTests : IDisposable
{
    private readonly TempDir _dir = new("runner-runtime");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static ProcessResult Runner(string workDir, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = ChildProcess.DotnetStartInfo(RepoPaths.RunnerDll, args, workDir);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return ChildProcess.Run(psi, RunnerCli.Timeout);
    }

    private static RunnerCheck Check(ProcessResult r) =>
        r.StdOut.Split('\n').Select(l => RunnerCheck.TryParse(l.TrimEnd('\r'))).LastOrDefault(c => c is not null) ?? throw new Xunit.Sdk.XunitException($"no @check line\n{r}");

    [Fact]
    public void Check_reports_the_torchsharp_and_bundled_libtorch_it_loaded_and_times_real_training_steps()
    {
        var r = Runner(_dir.Path, new Dictionary<string, string>(), "check", "--device", "cpu", "--steps", "3", "--warmup", "1", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var c = Check(r);

        // The table of supported libtorch versions is about this TorchSharp: bumping the package must revisit it.
        Assert.Equal(TorchSharpSupport.TorchSharpVersion, c.Torchsharp);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(RepoPaths.RunnerDll)!, "runtimes", "linux-x64", "native"), c.LibtorchLoaded);
        Assert.Equal(new LibtorchInfo(c.LibtorchLoaded!, "bundled", "2.10.0", null, false), c.Libtorch);
        Assert.Equal(("cpu", false, 0, false), (c.Device, c.CudaAvailable, c.CudaDevices, c.CudnnAvailable));
        var step = c.Step!;
        Assert.Equal(("gru", 256, 16, 50, 3), (step.Cell, step.Hidden, step.BatchSize, step.SeqLen, step.Steps));
        Assert.True(step.CharsPerSec > 0 && double.IsFinite(step.Loss), r.ToString());
    }

    [Fact]
    public void A_trial_records_its_device_libtorch_and_the_cuda_visible_devices_it_was_started_with()
    {
        File.WriteAllText(_dir.File("corpus.txt"), Corpora.Generate(6_000));
        File.WriteAllText(_dir.File("trial.yaml"), new TinyTrial { Epochs = 1, MaxSteps = 3, SampleLength = 5, ValBatches = 2 }.ToYaml());
        var db = _dir.File("o.db");

        var r = Runner(_dir.Path, new Dictionary<string, string> { [RunnerEnvironment.CudaVisibleDevices] = "7" }, "train", "--db", db, "--config", "trial.yaml", "--threads", "1");

        Assert.True(r.ExitCode == 0, r.ToString());
        var trials = new TrialRepository(Database.OpenReadOnly(db));
        var trial = trials.Get(Core.Spec.SpecLoader.LoadTrial(_dir.File("trial.yaml")).Id())!;
        Assert.Equal(("cpu", (string?)null, "2.10.0 (bundled)", (string?)null), (trial.Device, trial.GpuName, trial.LibtorchVersion, trial.CudaVersion));
        Assert.Equal("7", Assert.Single(trials.Attempts(trial.TrialId)).CudaVisibleDevices);
    }

    [Fact]
    public void A_libtorch_folder_that_does_not_exist_fails_as_bad_input_naming_it_and_what_to_do()
    {
        var missing = _dir.File("no-such-torch/lib");
        var r = Runner(_dir.Path, new Dictionary<string, string> { [RunnerEnvironment.LibtorchDir] = missing }, "check");

        Assert.Equal(RunnerExitCode.BadInput, r.ExitCode);
        var failure = Failure(r);
        Assert.Equal(FailureKind.BadInput, failure.Kind);
        Assert.StartsWith($"libtorch in {missing} cannot be used: the folder does not exist. Point execution.libtorch (or ORCHESTRATOR_LIBTORCH) at PyTorch's lib folder", failure.Message);
    }

    [Fact]
    public void A_libtorch_that_does_not_load_gives_the_loaders_own_words_not_a_torchsharp_trace()
    {
        _dir.Write("broken/libtorch_cpu.so", "not a library");
        var r = Runner(_dir.Path, new Dictionary<string, string> { [RunnerEnvironment.LibtorchDir] = _dir.File("broken") }, "check");

        Assert.Equal(RunnerExitCode.BadInput, r.ExitCode);
        var message = Failure(r).Message;
        Assert.Contains($"libtorch in {_dir.File("broken")} cannot be used: this Runner carries a libtorch of its own", message);
        Assert.DoesNotContain("LoadNativeBackend", r.StdErr);
    }

    private static FailureEvent Failure(ProcessResult r) =>
        r.StdOut.Split('\n').Select(l => ProgressLine.TryParse(l.TrimEnd('\r'))).OfType<FailureEvent>().SingleOrDefault()
        ?? throw new Xunit.Sdk.XunitException($"no failure event\n{r}");
}
