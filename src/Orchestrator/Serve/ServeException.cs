namespace Orchestrator.Serve;

/// <summary>The view cannot be served as asked (port in use, bad --host, no sweeps); the message says what to change.</summary>
internal sealed class ServeException(string message, Exception? inner = null) : Exception(message, inner);
