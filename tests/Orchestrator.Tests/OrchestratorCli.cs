using System.Collections.Concurrent;
using System.Diagnostics;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>Runs the built orchestrator (orchestrator.dll) as a real child process, the way a user does.</summary>
internal static class OrchestratorCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    public static ProcessStartInfo StartInfo(string workDir, IReadOnlyDictionary<string, string>? env, IEnumerable<string> args)
    {
        var psi = ChildProcess.DotnetStartInfo(RepoPaths.OrchestratorDll, args, workDir);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Runs to the end and returns exit code and output.</summary>
    public static ProcessResult Run(string workDir, params string[] args) => Run(workDir, null, args);

    public static ProcessResult Run(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        ChildProcess.Run(StartInfo(workDir, env, args), DefaultTimeout);

    /// <summary>Starts in the background; read its output as it comes, kill it, or wait for it.</summary>
    public static Background Start(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        new(StartInfo(workDir, env, args));

    /// <summary>
    /// Starts it as the leader of a process group of its own (<c>setsid</c> execs in place, so its
    /// pid is the group's id): <see cref="Background.KillGroup"/> then kills it and its Runners at once.
    /// </summary>
    public static Background StartInOwnGroup(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        new(InOwnGroup(StartInfo(workDir, env, args)));

    /// <summary>The same command under <c>setsid</c>, which execs in place: its pid is its process group's id.</summary>
    public static ProcessStartInfo InOwnGroup(ProcessStartInfo psi)
    {
        var grouped = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = psi.WorkingDirectory,
        };
        grouped.ArgumentList.Add(psi.FileName);
        foreach (var a in psi.ArgumentList) grouped.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) grouped.Environment[k] = v;
        return grouped;
    }

    /// <summary>Sends a signal by name (STOP, CONT, KILL, TERM) to a process, or with a negative pid to a process group.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, "--", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    internal sealed class Background : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _stdout = new();
        private readonly ConcurrentQueue<string> _stderr = new();

        public Background(ProcessStartInfo psi)
        {
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _stdout.Enqueue(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Pid => _process.Id;
        public bool HasExited => _process.HasExited;
        public string StdOut => string.Join('\n', _stdout);

        /// <summary>How many lines it has printed on stdout so far.</summary>
        public int StdOutLines => _stdout.Count;
        public string Output => $"--- stdout ---\n{StdOut}\n--- stderr ---\n{string.Join('\n', _stderr)}";

        /// <summary>Waits until <paramref name="condition"/> holds, failing the test (with the output so far) after <paramref name="timeout"/>.</summary>
        public void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (_process.HasExited) throw new Xunit.Sdk.XunitException($"the orchestrator exited ({_process.ExitCode}) before {what}\n{Output}");
                if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}\n{Output}");
                Thread.Sleep(50);
            }
        }

        /// <summary>SIGKILL to the orchestrator and every process under it (its Runners): the machine "dies".</summary>
        public void KillTree()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        /// <summary>kill -9 of its whole process group (it was started with <see cref="StartInOwnGroup"/>): it and its Runners die at once.</summary>
        public void KillGroup()
        {
            Signal(-_process.Id, "KILL");
            _process.WaitForExit();
        }

        /// <summary>SIGKILL to the orchestrator alone: its Runners live on.</summary>
        public void KillAlone()
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        public int WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"the orchestrator ran past {timeout}\n{Output}");
            }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
