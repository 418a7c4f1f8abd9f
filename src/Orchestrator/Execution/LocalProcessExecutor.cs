using System.Collections.ObjectModel;
using System.Diagnostics;
using Core.Contract;

namespace Orchestrator.Execution;

/// <summary>
/// Runs each attempt as a local Runner process, started as the process contract says
/// (<see cref="TrainCommandLine"/>: its arguments and environment; docs/contract.md).
/// Reads <see cref="ProgressLine"/>s from stdout, keeps the stderr tail, forwards a graceful stop as
/// SIGTERM (the Runner checkpoints, releases the trial and exits 4) and an immediate one as SIGKILL.
/// </summary>
internal sealed class LocalProcessExecutor(RunnerCommand runner, int stderrLines = 20) : ITrialExecutor
{
    public async Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop)
    {
        var train = new TrainCommandLine
        {
            Store = launch.Store.ChildArguments(launch.ResultsFolder),
            Trial = launch.TrialId,
            Owner = launch.Owner,
            Lease = launch.Lease,
            Threads = launch.Threads,
            Device = launch.Device,
            StoreEnvironment = launch.Store.ChildEnvironment,
            Placement = launch.Environment ?? ReadOnlyDictionary<string, string>.Empty,
            Gpu = launch.Gpu,
            DbOutage = launch.DbOutage,
            Sweep = launch.EarlyStopping?.Sweep,
            EarlyStopping = launch.EarlyStopping?.Rule,
        };
        var psi = runner.StartInfo(train.ToArguments(), redirect: true);
        foreach (var (name, value) in train.Environment()) psi.Environment[name] = value;

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
