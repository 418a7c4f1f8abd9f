namespace Orchestrator.Scheduling;

/// <summary>Owner tokens name who holds a trial's lease: host, process id and a random part, e.g. <c>box:4242:3f9a1c</c>.</summary>
public static class OwnerToken
{
    public static string New() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}
