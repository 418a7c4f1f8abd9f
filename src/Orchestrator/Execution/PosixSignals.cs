using System.Runtime.InteropServices;

namespace Orchestrator.Execution;

/// <summary>Sends a signal to a process (the .NET Process class can only SIGKILL).</summary>
internal static partial class PosixSignals
{
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone or the call failed.</summary>
    public static bool Send(int pid, int signal) => !OperatingSystem.IsWindows() && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
