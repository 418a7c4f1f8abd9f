namespace Core.Contract;

/// <summary>
/// How a child process (a Runner, a Slurm worker) is told on its command line where the store is:
/// <c>--db DB</c>, the store without its password (<c>Core.Store.StoreLocation.Argument</c>), and
/// with PostgreSQL <c>--results DIR</c>, where checkpoints go (a SQLite store keeps them beside its
/// file). A password travels in the child's environment instead (docs/store.md#credentials).
/// Either may be missing on a command line a person typed: then the child finds the store as the
/// orchestrator does (<c>ORCHESTRATOR_DB</c>, …) and checkpoints go to <c>results/</c>.
/// </summary>
public sealed record StoreArguments(string? Db, string? Results)
{
    /// <summary>The options' names, for the Runner's parsers.</summary>
    public static readonly IReadOnlyList<string> Options = ["db", "results"];

    public IReadOnlyList<string> ToArguments() =>
        [.. Db is null ? [] : new[] { "--db", Db }, .. Results is null ? [] : new[] { "--results", Results }];

    public static StoreArguments From(RunnerArguments a) => new(a.Get("db"), a.Get("results"));
}
