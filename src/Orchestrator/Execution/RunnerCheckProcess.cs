using System.Diagnostics;
using Core.Contract;

namespace Orchestrator.Execution;

/// <summary>Runs <c>runner check ARGS</c> and reads its report, or why there is none (the Runner's failure message, else its last stderr line).</summary>
public static class RunnerCheckProcess
{
    public sealed record Result(RunnerCheck? Check, string? Problem, int ExitCode);

    public static async Task<Result> RunAsync(RunnerCommand runner, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken ct)
    {
        var psi = runner.StartInfo(["check", .. args], redirect: true);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = new Process { StartInfo = psi };
        try { p.Start(); }
        catch (System.ComponentModel.Win32Exception e) { return new Result(null, $"could not start {runner}: {e.Message}", -1); }
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try { await p.WaitForExitAsync(limit.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            return new Result(null, $"`runner check` ran past {timeout.TotalSeconds:0} s", -1);
        }
        var lines = (await stdout.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var check = lines.Select(RunnerCheck.TryParse).LastOrDefault(c => c is not null);
        if (check is not null && p.ExitCode == RunnerExitCode.Done) return new Result(check, null, p.ExitCode);
        var failure = lines.Select(ProgressLine.TryParse).OfType<FailureEvent>().LastOrDefault();
        var lastError = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return new Result(null, failure?.Message ?? lastError ?? $"it exited {p.ExitCode} without a word", p.ExitCode);
    }
}
