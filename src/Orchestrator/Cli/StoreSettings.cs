using System.ComponentModel;
using Core.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

/// <summary>The options every command has: where the results folder and the database are.</summary>
internal abstract class StoreSettings : CommandSettings
{
    public const string DefaultResults = "results";

    // Every command has these two; their full story is told once, in docs/orchestrator.md#commands.
    [CommandOption("--results <DIR>")]
    [Description("Results folder. Default: results/")]
    public string? Results { get; init; }

    [CommandOption("--db <PATH|URL>")]
    [Description("The database: a SQLite file or a postgresql:// URL. Default: <results>/orchestrator.db. Both options: docs/orchestrator.md#commands")]
    public string? Db { get; init; }

    public string ResultsDir => ResultsFolder(Results);

    /// <summary>
    /// The database this command uses (<see cref="StoreLocation.Resolve"/>). Throws a
    /// <see cref="StoreLocationException"/> naming the setting when it cannot be used.
    /// </summary>
    public StoreLocation Store => StoreLocation.Resolve(Db, ResultsDir);

    public override ValidationResult Validate()
    {
        if (FolderGivenAsDatabase("--db", Db) is { } error) return error;
        if (Results is { } r && File.Exists(r))
            return ValidationResult.Error($"--results {r} is a file; give a folder");
        return ValidationResult.Success();
    }

    /// <summary>The absolute results folder of a <c>--results</c> value (default <c>results/</c>); <c>export</c> has the option too.</summary>
    public static string ResultsFolder(string? results) => Path.GetFullPath(results ?? DefaultResults);

    /// <summary>The error for a database option (<paramref name="option"/>) whose value is a folder; null when it is not one.</summary>
    public static ValidationResult? FolderGivenAsDatabase(string option, string? value) =>
        value is { } v && !v.Contains("://", StringComparison.Ordinal) && Directory.Exists(v)
            ? ValidationResult.Error($"{option} {v} is a folder; give the database file, e.g. {Path.Combine(v, "orchestrator.db")}")
            : null;
}
