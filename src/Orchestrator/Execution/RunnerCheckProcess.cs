using System.Diagnostics;
using Core.Contract;
using Core.Processes;

namespace Orchestrator.Execution;

/// <summary>Runs <c>runner check ARGS</c> and reads its report, or why there is none (the Runner's failure message, else its last stderr line).</summary>
internal static class RunnerCheckProcess
{
    public sealed record Result(RunnerCheck? Check, string? Problem);

    public static async Task<Result> RunAsync(RunnerCommand runner, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken ct)
    {
        var psi = runner.StartInfo(["check", .. args], redirect: true);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        ToolProcess.Result? r;
        try { r = await ToolProcess.RunAsync(psi, timeout, ct: ct).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception e) { return new Result(null, $"could not start {runner}: {e.Message}"); }
        if (r is null) return new Result(null, $"`runner check` ran past {timeout.TotalSeconds:0} s");
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var check = lines.Select(RunnerCheck.TryParse).LastOrDefault(c => c is not null);
        if (check is not null && r.ExitCode == RunnerExitCode.Done) return new Result(check, null);
        var failure = lines.Select(ProgressLine.TryParse).OfType<FailureEvent>().LastOrDefault();
        var lastError = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return new Result(null, failure?.Message ?? lastError ?? $"it exited {r.ExitCode} without a word");
    }
}
