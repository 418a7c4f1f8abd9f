using System.Diagnostics;
using System.Text;

namespace TestSupport;

/// <summary>The result of running a child process to its end.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Runs `dotnet DLL args` (or any program) as a real child process and captures its output.</summary>
public static class ChildProcess
{
    public static ProcessStartInfo DotnetStartInfo(string dll, IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    /// <summary>Runs to completion, killing the process tree if it outlives <paramref name="timeout"/>.</summary>
    public static ProcessResult Run(ProcessStartInfo psi, TimeSpan timeout)
    {
        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        // stdin stays open, and unused, while the process runs, as the orchestrator keeps a Runner's: a Runner run for an owner stops when it closes.
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} ran past {timeout}\n{stdout}\n{stderr}");
        }
        p.WaitForExit(); // flush async readers
        p.StandardInput.Close();
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static ProcessResult RunDotnet(string dll, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null) =>
        Run(DotnetStartInfo(dll, args, workingDirectory), timeout);
}
