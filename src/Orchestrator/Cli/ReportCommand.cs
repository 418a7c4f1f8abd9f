using System.ComponentModel;
using Core.Store;
using Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

public sealed class ReportSettings : StoreSettings
{
    [CommandArgument(0, "[SWEEP]")]
    [Description("The sweep to report on. Default: the most recently updated sweep")]
    public string? Sweep { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for report.md, figures/ and the CSVs. Default: <database folder>/<sweep>/ (results/<sweep>/; with PostgreSQL, <results>/<sweep>/)")]
    public string? Out { get; init; }

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        return Out is { } o && File.Exists(o) ? ValidationResult.Error($"--out {o} is a file; give a folder") : ValidationResult.Success();
    }
}

/// <summary><c>orchestrator report [SWEEP]</c>: writes the study's report (Markdown, figures, CSVs) from the database, read-only.</summary>
public sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        var result = new ReportWriter(Database.OpenReadOnly(settings.Store, settings.ResultsDir)).Write(settings.Sweep, settings.Out, cancellationToken);
        Output.Info($"report of sweep {result.Sweep}: {result.ReportPath} ({result.Files.Count} files in {result.OutDir})");
        return CliExitCode.Ok;
    }
}
