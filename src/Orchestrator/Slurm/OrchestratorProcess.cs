using System.Reflection;

namespace Orchestrator.Slurm;

/// <summary>How to start this very orchestrator again, by absolute paths: what a job script runs on a node.</summary>
internal static class OrchestratorProcess
{
    /// <summary>
    /// The dotnet host and orchestrator.dll (or the orchestrator's own executable when it runs as
    /// one). A node runs the same files, so the cluster's nodes must see them at the same paths.
    /// </summary>
    public static IReadOnlyList<string> Command()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var dll = Assembly.GetEntryAssembly()?.Location;
        var host = Path.GetFileNameWithoutExtension(process);
        return host == "dotnet" && !string.IsNullOrEmpty(dll) ? [process, dll] : [process];
    }
}
