using System.ComponentModel;
using Core.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

/// <summary>The options every command has: where the results folder and the database are.</summary>
public abstract class StoreSettings : CommandSettings
{
    public const string DefaultResults = "results";

    [CommandOption("--results <DIR>")]
    [Description("Results folder: checkpoints and reports live here, and the SQLite database unless --db says otherwise. Default: results/")]
    public string? Results { get; init; }

    [CommandOption("--db <PATH|URL>")]
    [Description("The database: a SQLite file, or PostgreSQL as postgresql://user@host:5432/db (password in ~/.pgpass, never here). "
                 + "Default: $ORCHESTRATOR_DB, the first line of the file $ORCHESTRATOR_DB_FILE names, else <results>/orchestrator.db")]
    public string? Db { get; init; }

    public string ResultsDir => Path.GetFullPath(Results ?? DefaultResults);

    /// <summary>
    /// The database this command uses (<see cref="StoreLocation.Resolve"/>). Throws a
    /// <see cref="StoreLocationException"/> naming the setting when it cannot be used.
    /// </summary>
    public StoreLocation Store => StoreLocation.Resolve(Db, ResultsDir);

    public override ValidationResult Validate()
    {
        if (Db is { } db && !db.Contains("://", StringComparison.Ordinal) && Directory.Exists(db))
            return ValidationResult.Error($"--db {db} is a folder; give the database file, e.g. {Path.Combine(db, "orchestrator.db")}");
        if (Results is { } r && File.Exists(r))
            return ValidationResult.Error($"--results {r} is a file; give a folder");
        return ValidationResult.Success();
    }
}
