using System.Diagnostics;
using System.Globalization;
using Core.Contract;

namespace Orchestrator.Execution;

/// <summary>
/// Runs each attempt as a local Runner process, per the process contract (docs/contract.md):
/// <c>runner train --db DB [--results DIR] --trial ID --owner TOKEN --lease-seconds S --threads N --device D</c>,
/// with the store's environment (a password never goes on the command line), the launch's environment
/// (libtorch, MPS) and its GPU as CUDA_VISIBLE_DEVICES.
/// Reads <see cref="ProgressLine"/>s from stdout, keeps the stderr tail, forwards a graceful stop as
/// SIGTERM (the Runner checkpoints, releases the trial and exits 4) and an immediate one as SIGKILL.
/// </summary>
public sealed class LocalProcessExecutor(RunnerCommand runner, int stderrLines = 20) : ITrialExecutor
{
    public async Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop)
    {
        var psi = runner.StartInfo(
        [
            "train",
            .. launch.Store.ChildArguments(launch.ResultsFolder),
            "--trial", launch.TrialId,
            "--owner", launch.Owner,
            "--lease-seconds", launch.Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--threads", launch.Threads.ToString(CultureInfo.InvariantCulture),
            "--device", launch.Device,
        ], redirect: true);
        // The store's password, if its setting carried one, goes by environment, never on the command line.
        foreach (var (name, value) in launch.Store.ChildEnvironment) psi.Environment[name] = value;
        foreach (var (name, value) in ThreadEnvironment.For(launch.Threads)) psi.Environment[name] = value;
        foreach (var (name, value) in launch.Environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        if (launch.Gpu is not null) psi.Environment[RunnerEnvironment.CudaVisibleDevices] = launch.Gpu;

        var tail = new StderrTail(stderrLines);
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            tail.Add($"could not start {runner}: {e.Message}");
            return new TrialExit(RunnerExitCode.Crashed, tail.Lines(), StopRequested: false);
        }

        // stdin stays open and unused: it closes when the orchestrator dies, which a Runner may watch.
        FailureEvent? failure = null;
        var stdout = PumpAsync(process.StandardOutput, line =>
        {
            if (ProgressLine.TryParse(line) is not { } e) return;
            if (e is FailureEvent f) failure = f;
            onEvent(e);
        });
        var stderr = PumpAsync(process.StandardError, tail.Add);

        var stopRequested = false;
        using var onGraceful = stop.Graceful.Register(() =>
        {
            stopRequested = true;
            if (!process.HasExited) PosixSignals.Send(process.Id, PosixSignals.SigTerm);
        });
        using var onImmediate = stop.Immediate.Register(() =>
        {
            stopRequested = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
        });

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        return new TrialExit(process.ExitCode, tail.Lines(), stopRequested, failure);
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            onLine(line);
    }
}
