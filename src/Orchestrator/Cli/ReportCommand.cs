using System.ComponentModel;
using Core.Store;
using Reporting;
using Reporting.Comparison;
using Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class ReportSettings : StoreSettings
{
    [CommandArgument(0, "[SWEEPS]")]
    [Description("The sweep to report on (default: the most recently updated sweep), or two sweeps to compare: report quick hw3")]
    public string[] Sweeps { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Folder for report.md, figures/, tables.tex and the CSVs. Default: <database folder>/<sweep>/ (results/<sweep>/; with PostgreSQL, <results>/<sweep>/); "
                 + "for two sweeps <database folder>/<A>-vs-<B>/")]
    public string? Out { get; init; }

    [CommandOption("--format <LIST>")]
    [Description("Figure formats, comma-separated: png, svg, pdf. report.md links the first. Default: png,svg")]
    public string? Format { get; init; }

    /// <summary>The figure formats of <see cref="Format"/>, the default when it is not given.</summary>
    public IReadOnlyList<FigureFormat> Formats => Format is { } f ? FigureFormats.Parse(f) : FigureFormats.Default;

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (Sweeps.Length > 2)
            return ValidationResult.Error($"report takes one sweep, or two to compare; got {Sweeps.Length}: {string.Join(" ", Sweeps)}");
        if (Out is { } o && File.Exists(o)) return ValidationResult.Error($"--out {o} is a file; give a folder");
        try { _ = Formats; }
        catch (ReportException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>orchestrator report [SWEEP]</c>: writes the study's report (Markdown, figures, LaTeX tables, CSVs) from the
/// database, read-only; <c>orchestrator report A B</c> writes the comparison of two sweeps.
/// </summary>
internal sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        var db = Database.OpenReadOnly(settings.Store, settings.ResultsDir);
        if (settings.Sweeps is [var a, var b])
        {
            var comparison = new ComparisonWriter(db, settings.Formats).Write(a, b, settings.Out, cancellationToken);
            Output.Info($"comparison of sweeps {a} and {b}: {comparison.ReportPath} ({comparison.Files.Count} files in {comparison.OutDir})");
            return CliExitCode.Ok;
        }
        var result = new ReportWriter(db, settings.Formats).Write(settings.Sweeps.FirstOrDefault(), settings.Out, cancellationToken);
        Output.Info($"report of sweep {result.Sweep}: {result.ReportPath} ({result.Files.Count} files in {result.OutDir})");
        return CliExitCode.Ok;
    }
}
