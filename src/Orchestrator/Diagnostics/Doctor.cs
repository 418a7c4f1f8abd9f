using System.Globalization;
using System.Runtime.InteropServices;
using Core.Config;
using Core.Contract;
using Core.Gpus;
using Core.Libtorch;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Libtorch;
using Reporting;
using Reporting.Figures;

namespace Orchestrator.Diagnostics;

/// <summary>
/// What <c>orchestrator doctor</c> examines: the execution settings and corpora of a spec (or the
/// defaults), the database (resolved when examined, so a setting that cannot be used is a finding), and
/// how many training steps to time.
/// </summary>
/// <param name="Spec">The spec given (<c>doctor SPEC</c>): its sweep's time is estimated (<see cref="Estimates.EstimateCheck"/>); null: none.</param>
/// <param name="Results">The results folder (<c>--results</c>), where a SQLite store's checkpoints are, for the estimate.</param>
internal sealed record DoctorInput(ExecutionConfig Execution, IReadOnlyList<DataConfig> Corpora, bool CorporaFromSpec, Func<StoreLocation> Store, int Steps,
    SweepSpec? Spec = null, string Results = "results");

/// <summary>
/// Says what a run would use and whether it would work: .NET; the libtorch chosen and the one the
/// Runner really loads, TorchSharp, the device, GPUs and cuDNN, and the speed of a few real training
/// steps, all from a real Runner (<c>runner check</c>; TorchSharp never loads in the orchestrator);
/// NVIDIA MPS; the figures' font; the database; the corpora. Library code: it returns the findings.
/// </summary>
internal static class Doctor
{
    public static async Task<DoctorReport> ExamineAsync(DoctorInput input, CancellationToken ct)
    {
        var checks = new List<DoctorCheck>
        {
            DoctorCheck.Ok("dotnet", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
                new Dictionary<string, object?> { ["version"] = Environment.Version.ToString() }),
        };
        checks.AddRange(await RunnerChecksAsync(input.Execution, input.Steps, ct).ConfigureAwait(false));
        checks.Add(Mps(input.Execution.Mps));
        checks.Add(Fonts());
        checks.Add(DatabaseCheck.Examine(input.Store));
        checks.AddRange(input.Corpora.Select(c => CorpusCheck.Examine(c, input.CorporaFromSpec)));
        if (input.Spec is { } spec) checks.Add(await Estimates.EstimateCheck.ExamineAsync(spec, input.Store, input.Results, input.Steps > 0, ct).ConfigureAwait(false));
        return new DoctorReport(checks);
    }

    /// <summary>A Runner started as a run's first Runner would be: its libtorch, GPU, threads and environment.</summary>
    public sealed record CheckRunner(RunnerCommand Runner, LibtorchChoice Choice, IReadOnlyList<string> Gpus, int Threads, IReadOnlyDictionary<string, string> Environment)
    {
        /// <summary>The <c>runner check</c> options for the device and threads.</summary>
        public string[] Args(ExecutionConfig execution) => ["--device", execution.Device, "--threads", Threads.ToString(CultureInfo.InvariantCulture)];
    }

    /// <summary>How a run would start its first Runner (<see cref="CheckRunner"/>), or the check that fails (runner, libtorch, gpus).</summary>
    public static (CheckRunner? Runner, DoctorCheck? Failure) PrepareRunner(ExecutionConfig execution)
    {
        RunnerCommand runner;
        LibtorchChoice choice;
        IReadOnlyDictionary<string, string> libtorchEnvironment;
        try { (runner, choice, libtorchEnvironment) = LibtorchRunner.Choose(execution.Libtorch); }
        catch (RunnerNotFoundException e) { return (null, DoctorCheck.Fail("runner", e.Message)); }
        catch (RunnerSetupException e) { return (null, DoctorCheck.Fail("libtorch", e.Message)); }

        IReadOnlyList<string> gpus;
        try { gpus = GpuSelection.Resolve(execution); }
        catch (RunnerSetupException e) { return (null, DoctorCheck.Fail("gpus", e.Message)); }

        var environment = new Dictionary<string, string>(libtorchEnvironment);
        if (gpus.Count > 0) environment[RunnerEnvironment.CudaVisibleDevices] = gpus[0]; // as the run's first Runner gets it
        // Threads as a run's Runners get them (the run's own rule: cores divided between the trials that run at once).
        var threads = Scheduling.SchedulerOptions.From(execution, null, null, Environment.ProcessorCount, gpus).ThreadsPerTrial;
        foreach (var (k, v) in RunnerEnvironment.ForThreads(threads)) environment[k] = v;
        return (new CheckRunner(runner, choice, gpus, threads, environment), null);
    }

    private static async Task<IReadOnlyList<DoctorCheck>> RunnerChecksAsync(ExecutionConfig execution, int steps, CancellationToken ct)
    {
        var (prepared, failure) = PrepareRunner(execution);
        if (prepared is null) return [failure!];
        var (runner, choice, gpus, environment) = (prepared.Runner, prepared.Choice, prepared.Gpus, prepared.Environment);
        string[] args = [.. prepared.Args(execution), "--steps", steps.ToString(CultureInfo.InvariantCulture)];
        var result = await RunnerCheckProcess.RunAsync(runner, args, environment, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        if (result.Check is not { } c)
        {
            var name = result.Problem?.StartsWith("--device", StringComparison.Ordinal) == true ? "device" : "libtorch";
            return [DoctorCheck.Fail(name, $"the Runner ({runner}) fails with libtorch {choice.Describe()}: {result.Problem}")];
        }

        var checks = new List<DoctorCheck>
        {
            DoctorCheck.Ok("torchsharp", $"TorchSharp {c.Torchsharp} (built for libtorch {TorchSharpSupport.BuiltFor}; {string.Join(", ", TorchSharpSupport.Verified)} verified)",
                new Dictionary<string, object?> { ["version"] = c.Torchsharp }),
            Libtorch(choice, c),
            Device(execution, c),
            Gpus(execution, gpus, c),
            Cudnn(c, choice.PyTorch),
            c.Step is { } s
                ? DoctorCheck.Ok("training step", $"{s.CharsPerSec.ToString("N0", CultureInfo.InvariantCulture)} chars/s: {s.Steps} steps of GRU-{s.Hidden}, batch {s.BatchSize}, seq {s.SeqLen} on {c.Device} ({s.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} s)",
                    new Dictionary<string, object?> { ["chars_per_sec"] = s.CharsPerSec, ["steps"] = s.Steps, ["hidden"] = s.Hidden, ["batch_size"] = s.BatchSize, ["seq_len"] = s.SeqLen, ["seconds"] = s.Seconds, ["loss"] = s.Loss })
                : DoctorCheck.Ok("training step", "not timed (--steps 0)"),
        };
        return checks;
    }

    private static DoctorCheck Libtorch(LibtorchChoice choice, RunnerCheck c)
    {
        var loaded = c.Libtorch;
        var kind = loaded?.HasCuda == true ? $"CUDA {loaded.CudaVersion ?? "(version unknown)"} build" : "CPU build";
        var finding = $"{loaded?.Version ?? "unknown version"} ({loaded?.Origin ?? "unknown origin"}), {kind}, loaded from {c.LibtorchLoaded ?? "(not found in the Runner's memory map)"}; chosen by {choice.Reason}";
        var details = new Dictionary<string, object?>
        {
            ["chosen"] = choice.Bundled ? LibtorchSetting.Bundled : choice.Folder, ["loaded"] = c.LibtorchLoaded, ["version"] = loaded?.Version,
            ["origin"] = loaded?.Origin, ["cuda"] = loaded?.HasCuda ?? false, ["cuda_version"] = loaded?.CudaVersion, ["reason"] = choice.Reason,
        };
        return choice.Warning is { } w ? DoctorCheck.Warn("libtorch", $"{finding}. {w}", details) : DoctorCheck.Ok("libtorch", finding, details);
    }

    private static DoctorCheck Device(ExecutionConfig execution, RunnerCheck c)
    {
        var details = new Dictionary<string, object?> { ["setting"] = execution.Device, ["device"] = c.Device, ["cuda_available"] = c.CudaAvailable, ["cuda_devices"] = c.CudaDevices };
        if (c.CudaAvailable) return DoctorCheck.Ok("device", $"{c.Device} (execution.device: {execution.Device}); a Runner sees {c.CudaDevices} CUDA device(s)", details);
        if (NvidiaDriver.Present && execution.Device != "cpu")
            return DoctorCheck.Warn("device", $"{c.Device}: this machine has an NVIDIA driver, but the Runner's libtorch sees no CUDA device (a CPU build, or no GPU visible); "
                                              + "trials train on the CPU. Install a CUDA-capable PyTorch, or set execution.libtorch to its lib folder", details);
        return DoctorCheck.Ok("device", $"{c.Device} (execution.device: {execution.Device}); no CUDA device", details);
    }

    private static DoctorCheck Gpus(ExecutionConfig execution, IReadOnlyList<string> assigned, RunnerCheck c)
    {
        var gpus = c.Gpus.Select(g => $"{g.Name} ({(g.MemoryMib / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} GiB)").ToList();
        var spread = assigned.Count == 0 ? "Runners get no CUDA_VISIBLE_DEVICES of their own"
            : $"trials spread over GPU(s) {string.Join(", ", assigned)}{(execution.TrialsPerGpu > 0 ? $", at most {execution.TrialsPerGpu} each" : "")}";
        var details = new Dictionary<string, object?>
        {
            ["gpus"] = c.Gpus.Select(g => new Dictionary<string, object?> { ["id"] = g.Id, ["name"] = g.Name, ["memory_mib"] = g.MemoryMib }).ToList(),
            ["assigned"] = assigned,
        };
        return DoctorCheck.Ok("gpu", gpus.Count == 0 ? $"none visible (nvidia-smi lists none); {spread}" : $"{string.Join("; ", gpus)} visible to a Runner; {spread}", details);
    }

    private static DoctorCheck Cudnn(RunnerCheck c, PyTorchInstall? pytorch)
    {
        if (!c.CudaAvailable) return DoctorCheck.Ok("cudnn", "not used on the CPU");
        var version = pytorch?.Cudnn is { } v ? $" (version {v}, as PyTorch reports it)" : "";
        return c.CudnnAvailable
            ? DoctorCheck.Ok("cudnn", $"available{version}", new Dictionary<string, object?> { ["available"] = true, ["version"] = pytorch?.Cudnn })
            : DoctorCheck.Warn("cudnn", "not available to libtorch: recurrent layers run without cuDNN's kernels, much slower", new Dictionary<string, object?> { ["available"] = false });
    }

    private static DoctorCheck Mps(string setting)
    {
        var (control, running) = (MpsDaemon.ControlProgram(), MpsDaemon.Running());
        var details = new Dictionary<string, object?> { ["setting"] = setting, ["control"] = control, ["running"] = running };
        if (running is { } pipes)
            return DoctorCheck.Ok("mps", $"a daemon is running (pipes in {pipes}); execution.mps: {setting} {(setting == MpsSetting.Off ? "leaves it alone" : "joins it")}", details);
        if (control is { } program)
            return DoctorCheck.Ok("mps", $"available ({program}), no daemon running; {(setting == MpsSetting.On ? "a run starts one (execution.mps: true)" : "execution.mps: true would start one for a run")}", details);
        return setting == MpsSetting.On
            ? DoctorCheck.Fail("mps", $"execution.mps is true, but {MpsDaemon.Control} is not on the PATH and no daemon is running; set execution.mps to auto or false", details)
            : DoctorCheck.Ok("mps", $"not available ({MpsDaemon.Control} is not on the PATH)", details);
    }

    private static DoctorCheck Fonts()
    {
        try
        {
            var (font, pixels) = FigureText.Check();
            return DoctorCheck.Ok("fonts", $"figures draw their text with {font} ({pixels} pixels of text in a probe figure)", new Dictionary<string, object?> { ["font"] = font, ["text_pixels"] = pixels });
        }
        catch (ReportException e)
        {
            return DoctorCheck.Fail("fonts", e.Message);
        }
    }
}
