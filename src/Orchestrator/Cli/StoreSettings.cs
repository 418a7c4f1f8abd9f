using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

/// <summary>The options every command has: where the results folder and the database are.</summary>
public abstract class StoreSettings : CommandSettings
{
    public const string DefaultResults = "results";

    [CommandOption("--results <DIR>")]
    [Description("Results folder: the database and checkpoints live here unless --db says otherwise, reports go under it. Default: results/")]
    public string? Results { get; init; }

    [CommandOption("--db <PATH>")]
    [Description("SQLite database. Default: <results>/orchestrator.db")]
    public string? Db { get; init; }

    public string ResultsDir => Path.GetFullPath(Results ?? DefaultResults);

    public string DbPath => Path.GetFullPath(Db ?? Path.Combine(Results ?? DefaultResults, "orchestrator.db"));

    public override ValidationResult Validate()
    {
        if (Db is { } db && Directory.Exists(db))
            return ValidationResult.Error($"--db {db} is a folder; give the database file, e.g. {Path.Combine(db, "orchestrator.db")}");
        if (Results is { } r && File.Exists(r))
            return ValidationResult.Error($"--results {r} is a file; give a folder");
        return ValidationResult.Success();
    }
}
