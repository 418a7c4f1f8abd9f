using System.ComponentModel;
using Core.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class ExportSettings : CommandSettings
{
    [CommandArgument(0, "[SWEEP]")]
    [Description("The sweep to export. Default: every sweep and trial of the store")]
    public string? Sweep { get; init; }

    [CommandOption("--to <PATH|URL>")]
    [Description("The target: a SQLite file (created if missing) or postgresql://user@host:5432/db (password in ~/.pgpass, never here)")]
    public string? To { get; init; }

    [CommandOption("--from <PATH|URL>")]
    [Description("The source. Default: as --db of the other commands ($ORCHESTRATOR_DB, $ORCHESTRATOR_DB_FILE, else <results>/orchestrator.db)")]
    public string? From { get; init; }

    [CommandOption("--results <DIR>")]
    [Description("Results folder: where a PostgreSQL store's checkpoints are (rows name them relative to it). Default: results/")]
    public string? Results { get; init; }

    public string ResultsDir => StoreSettings.ResultsFolder(Results);

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(To)) return ValidationResult.Error("--to is required: the SQLite file or postgresql:// URL to copy into");
        return StoreSettings.FolderGivenAsDatabase("--to", To) ?? StoreSettings.FolderGivenAsDatabase("--from", From) ?? ValidationResult.Success();
    }
}

/// <summary>
/// <c>orchestrator export [SWEEP] --to PATH|URL [--from PATH|URL]</c>: copies a sweep (or the whole
/// store) between SQLite and PostgreSQL, every row as it is (<see cref="StoreExport"/>).
/// </summary>
internal sealed class ExportCommand : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var from = Database.OpenReadOnly(StoreLocation.Resolve(settings.From, settings.ResultsDir, optionName: "--from"), settings.ResultsDir);
        var to = Database.Open(StoreLocation.Parse(settings.To!, "--to", commandLine: true), settings.ResultsDir);
        var summary = StoreExport.Copy(from, to, settings.Sweep, cancellationToken);
        var what = settings.Sweep is null ? $"{summary.Rows("sweeps")} sweep(s)" : $"sweep {settings.Sweep}";
        Output.Info($"exported {what} from {from.Path} to {to.Path}: "
                    + string.Join(", ", summary.Tables.Where(t => t.Rows > 0).Select(t => $"{t.Rows} {t.Table}")));
        if (from.Folder != to.Folder)
            Output.Info($"checkpoint files were not copied: they stay under {from.Folder}, and the rows name them relative to it; "
                        + $"the target looks for them under {to.Folder}");
        return CliExitCode.Ok;
    }
}
