using Core.Contract;
using Core.Store;

namespace Runner.Cli;

/// <summary>
/// The store a Runner command uses, found the way the orchestrator finds it (<see cref="StoreLocation.Resolve"/>):
/// <c>--db</c>, else <c>ORCHESTRATOR_DB_FILE</c> / <c>ORCHESTRATOR_DB</c>; a password reaches a Runner
/// through its environment (<c>PGPASSWORD</c>, <c>~/.pgpass</c>), never its command line. A Runner's
/// PostgreSQL pool holds <see cref="PoolSize"/> connections at most.
/// </summary>
internal static class RunnerStore
{
    /// <summary>A Runner uses two connections at a time at most: its training loop's writes and its lease heartbeat.</summary>
    public const int PoolSize = 2;

    public static StoreLocation Resolve(StoreArguments a)
    {
        var option = a.Db;
        if (option is null && Environment.GetEnvironmentVariable(StoreLocation.DbVariable) is null && Environment.GetEnvironmentVariable(StoreLocation.DbFileVariable) is null)
            throw new UsageException($"--db is required (or set {StoreLocation.DbVariable})");
        return StoreLocation.Resolve(option, Results(a)).WithMaxPoolSize(PoolSize);
    }

    /// <summary>Where checkpoints go when the store is PostgreSQL (<c>--results</c>, default <c>results/</c>); a SQLite store keeps them beside its file.</summary>
    public static string Results(StoreArguments a) => Path.GetFullPath(a.Results ?? "results");
}
