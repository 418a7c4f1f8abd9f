using Orchestrator.Execution;

namespace Orchestrator.Planning;

/// <summary>Where the SQLite database lies, as far as its safety goes: a network file system is not a place for it.</summary>
internal static class StorePlacement
{
    /// <summary>The network file system <paramref name="dbPath"/> is on, or null when it is on a local one (or the mount table cannot be read).</summary>
    public static Mount? NetworkMount(string dbPath) => MountTable.Of(dbPath) is { IsNetwork: true } m ? m : null;

    /// <summary>What is wrong with an SQLite database on <paramref name="mount"/>, and what to do, in one sentence.</summary>
    public static string Problem(string dbPath, Mount mount) =>
        $"the SQLite database {dbPath} is on a network file system ({mount.Type} {mount.Source} mounted at {mount.MountPoint}): "
        + "SQLite's locks and write-ahead log do not work there across hosts, and may not even on one; keep it on a local disk (--db /local/path/orchestrator.db) "
        + "or, for workers on several hosts, use PostgreSQL";
}

/// <summary>An SQLite database on a network file system where that is refused (a Slurm run).</summary>
internal sealed class NetworkDatabaseException(string dbPath, Mount mount, string executor)
    : Exception($"{StorePlacement.Problem(dbPath, mount)}. With the {executor} executor that is refused: nothing was submitted or recorded");
