using System.Runtime.InteropServices;

namespace Orchestrator.Execution;

/// <summary>
/// SIGINT and SIGTERM once a command's work is done and its summary printed: from
/// <see cref="Finishing"/> until the process exits (its cleanup: stopping the signal handling of the
/// run, an MPS daemon, the web view; the runtime's own shutdown) a signal can no longer interrupt
/// anything, so each one says so on stderr and the command exits with the code its summary stands
/// for, instead of dying silently with 130 (what the default handling would do once the run's own
/// handlers are gone). The registration lives as long as the process.
/// </summary>
internal static class ShutdownSignals
{
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration? _sigint;
    private static PosixSignalRegistration? _sigterm;
    private static string? _message;

    /// <summary>Whether <see cref="Finishing"/> was called: signals are now only reported (<see cref="StopOnSignals"/> leaves them to this).</summary>
    public static bool Active => Volatile.Read(ref _message) is not null;

    /// <summary>From now on, SIGINT/SIGTERM print "SIGINT during shutdown: ignored; <paramref name="state"/>" and change nothing.</summary>
    /// <param name="state">What is true now, e.g. "everything was recorded; exit code 0, as summarized above".</param>
    public static void Finishing(string state)
    {
        if (OperatingSystem.IsWindows()) return;
        lock (Gate)
        {
            Volatile.Write(ref _message, state);
            _sigint ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _sigterm ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }
    }

    private static void OnSignal(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        var name = ctx.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
        Console.Error.WriteLine($"{name} during shutdown: ignored; {Volatile.Read(ref _message)}");
    }
}
