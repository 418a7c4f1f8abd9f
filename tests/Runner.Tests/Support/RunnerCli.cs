using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Runner.Tests.Support;

/// <summary>The Runner as a real child process (<c>dotnet Runner.dll ...</c>), run in a given working directory.</summary>
public static class RunnerCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static ProcessResult Run(string workingDirectory, params string[] args) =>
        ChildProcess.RunDotnet(RepoPaths.RunnerDll, args, Timeout, workingDirectory);

    public static RunningRunner Start(string workingDirectory, params string[] args) =>
        new(ChildProcess.DotnetStartInfo(RepoPaths.RunnerDll, args, workingDirectory));

    /// <summary>The JSON objects of the <c>@progress</c> lines of an output, in order.</summary>
    public static IReadOnlyList<JsonElement> Progress(string stdout) =>
        stdout.Split('\n').Where(l => l.StartsWith("@progress ", StringComparison.Ordinal))
              .Select(l => JsonDocument.Parse(l["@progress ".Length..]).RootElement.Clone()).ToList();
}

/// <summary>A Runner process whose output is watched line by line while it runs, to stop or kill it at a chosen moment.</summary>
public sealed class RunningRunner : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _newLine = new(0);

    public RunningRunner(ProcessStartInfo psi)
    {
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lines) { _lines.Add(e.Data); _stdout.AppendLine(e.Data); }
            _newLine.Release();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start(); // its stdin stays open, as an orchestrator keeps it (closing it tells a Runner run for an owner that the owner is gone)
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Waits for a <c>@progress</c> event satisfying <paramref name="match"/>; fails if the process ends first.</summary>
    public JsonElement WaitForEvent(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var seen = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string[] fresh;
            lock (_lines) { fresh = _lines.Skip(seen).ToArray(); seen = _lines.Count; }
            foreach (var e in RunnerCli.Progress(string.Join('\n', fresh)))
                if (match(e)) return e;
            if (_process.HasExited && !_newLine.Wait(200))
                throw new InvalidOperationException($"the runner exited ({_process.ExitCode}) before the awaited event\n{Output()}");
            _newLine.Wait(TimeSpan.FromMilliseconds(200));
        }
        throw new TimeoutException($"no awaited event within {timeout}\n{Output()}");
    }

    /// <summary>Closes its stdin, as an orchestrator's death does: the pipe's writing end goes away.</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>kill -9: the process dies at once, leaving whatever it wrote.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public void SendSignal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGTERM = 15;

    public ProcessResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the runner ran past {timeout}\n{Output()}");
        }
        _process.WaitForExit();
        lock (_lines) lock (_stderr) return new ProcessResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    private string Output()
    {
        lock (_lines) lock (_stderr) return $"--- stdout ---\n{_stdout}\n--- stderr ---\n{_stderr}";
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _newLine.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
