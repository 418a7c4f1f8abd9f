using System.Runtime.InteropServices;

namespace Orchestrator.Execution;

/// <summary>
/// SIGINT / SIGTERM as stop requests: the first asks running trials to checkpoint and stop
/// (<see cref="StopSignals.Graceful"/>), a second kills them (<see cref="StopSignals.Immediate"/>).
/// Dispose to restore the default handling.
/// </summary>
internal sealed class StopOnSignals : IDisposable
{
    private readonly CancellationTokenSource _graceful;
    private readonly CancellationTokenSource _immediate = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    /// <param name="onFirst">Called once, on the first signal, with its name (to tell the user what happens now).</param>
    /// <param name="onAgain">Called on every later signal, with its name: each one is told, not only the first.</param>
    public StopOnSignals(CancellationToken cancellation, Action<string> onFirst, Action<string>? onAgain = null)
    {
        _graceful = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            // Once the command has printed its summary, a signal interrupts nothing: ShutdownSignals says so.
            if (ShutdownSignals.Active) return;
            var name = ctx.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
            if (!_graceful.IsCancellationRequested)
            {
                onFirst(name);
                _graceful.Cancel();
            }
            else
            {
                onAgain?.Invoke(name);
                _immediate.Cancel();
            }
        }
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public StopSignals Signals => new(_graceful.Token, _immediate.Token);

    public CancellationToken Graceful => _graceful.Token;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _graceful.Dispose();
        _immediate.Dispose();
    }
}
