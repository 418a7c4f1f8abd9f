using System.Diagnostics;
using Core.Contract;
using Core.Spec;
using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Libtorch;

namespace Orchestrator.Execution;

/// <summary>
/// How a run starts its Runners, decided once before any trial starts, from the spec's
/// <c>execution</c> section: which Runner folder and libtorch (<see cref="LibtorchChoice"/>), the
/// environment every Runner gets (library path, libtorch folder, MPS pipes), the GPUs trials are
/// spread over, and the MPS daemon (stopped when this is disposed, if the run started it). A libtorch
/// folder is tried with <c>runner check</c> first, so one that does not load stops the run with the
/// Runner's own words before a trial starts. Local runs and cluster workers use it alike.
/// </summary>
internal sealed class RunnerSetup : IAsyncDisposable
{
    private readonly MpsDaemon? _mps;

    private RunnerSetup(RunnerCommand runner, LibtorchChoice libtorch, IReadOnlyList<string> gpus, MpsDaemon? mps, IReadOnlyDictionary<string, string> environment)
    {
        Runner = runner;
        Libtorch = libtorch;
        Gpus = gpus;
        _mps = mps;
        Environment = environment;
    }

    public RunnerCommand Runner { get; }
    public LibtorchChoice Libtorch { get; }
    /// <summary>CUDA_VISIBLE_DEVICES values to spread trials over; empty: Runners get none of their own.</summary>
    public IReadOnlyList<string> Gpus { get; }
    /// <summary>What every Runner gets in its environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Lines for people: libtorch, warnings, GPUs and MPS.</summary>
    public IEnumerable<string> Describe(int trialsPerGpu)
    {
        yield return $"libtorch: {Libtorch.Describe()}; {Libtorch.Reason}";
        if (Libtorch.Warning is { } warning) yield return $"warning: {warning}";
        if (Gpus.Count > 0)
            yield return $"GPUs: {string.Join(", ", Gpus)} ({(trialsPerGpu > 0 ? $"at most {trialsPerGpu} trial(s) each" : "trials spread evenly")}), one per Runner in CUDA_VISIBLE_DEVICES";
        if (_mps is not null) yield return $"MPS: {(_mps.StartedHere ? "started a daemon for this run" : "joining the daemon running")} ({RunnerEnvironment.MpsPipeDirectory}={_mps.PipeDirectory})";
    }

    /// <summary>Decides everything; <see cref="RunnerSetupException"/> (bad input) when the settings cannot be met.</summary>
    public static async Task<RunnerSetup> StartAsync(ExecutionConfig execution, CancellationToken ct)
    {
        var (runner, libtorch, libtorchEnvironment) = LibtorchRunner.Choose(execution.Libtorch);
        var environment = new Dictionary<string, string>(libtorchEnvironment);
        if (!libtorch.Bundled) await TryLibtorchAsync(runner, libtorch, environment, ct).ConfigureAwait(false);

        var gpus = GpuSelection.Resolve(execution);
        var mps = await MpsDaemon.StartAsync(execution.Mps, ct).ConfigureAwait(false);
        if (mps is not null) environment[RunnerEnvironment.MpsPipeDirectory] = mps.PipeDirectory;
        return new RunnerSetup(runner, libtorch, gpus, mps, environment);
    }

    /// <summary>Runs <c>runner check</c> with the chosen libtorch; its failure message, if any, becomes a <see cref="RunnerSetupException"/>.</summary>
    private static async Task TryLibtorchAsync(RunnerCommand runner, LibtorchChoice libtorch, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var result = await RunnerCheckProcess.RunAsync(runner, ["--device", "cpu"], environment, TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
        if (result.Check is null)
            throw new RunnerSetupException($"the Runner cannot use libtorch {libtorch.Describe()} ({libtorch.Reason}): {result.Problem}");
    }

    public ValueTask DisposeAsync() => _mps?.DisposeAsync() ?? ValueTask.CompletedTask;
}
