using System.Diagnostics;

namespace Core.Processes;

/// <summary>
/// Runs a short-lived command-line tool to its end and captures what it printed: the one way the
/// tools run one (nvidia-smi, python3, nvidia-cuda-mps-control, <c>runner check</c>, Slurm's tools).
/// Long-lived children (Runners, workers) are started by their executors instead.
/// </summary>
public static class ToolProcess
{
    /// <summary>How the tool ended and everything it printed.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>
    /// Starts <paramref name="psi"/> with its input, output and error redirected here, writes
    /// <paramref name="stdin"/> (if any) and closes its input, and waits for it. Returns null when it
    /// ran past <paramref name="timeout"/> (its process tree is killed). Throws
    /// <see cref="System.ComponentModel.Win32Exception"/> when the program cannot be started, and
    /// <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled (the tree is killed).
    /// </summary>
    public static async Task<Result?> RunAsync(ProcessStartInfo psi, TimeSpan timeout, string? stdin = null, CancellationToken ct = default)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var p = new Process { StartInfo = psi };
        p.Start();
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        p.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* it ended meanwhile */ }
            ct.ThrowIfCancellationRequested();
            return null;
        }
        return new Result(p.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// The full path of <paramref name="program"/> in the first folder of <paramref name="path"/>
    /// (default: the PATH variable) that holds an executable file of that name; null when none does.
    /// </summary>
    public static string? FindOnPath(string program, string? path = null) =>
        (path ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(f => File.Exists(f) && (OperatingSystem.IsWindows()
                || (File.GetUnixFileMode(f) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0));

    /// <summary><see cref="RunAsync"/> for callers that are not asynchronous.</summary>
    public static Result? Run(ProcessStartInfo psi, TimeSpan timeout, string? stdin = null) =>
        RunAsync(psi, timeout, stdin).GetAwaiter().GetResult();
}
