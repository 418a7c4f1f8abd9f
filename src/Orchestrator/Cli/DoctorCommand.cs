using System.ComponentModel;
using System.Text.Json;
using Core.Config;
using Core.Spec;
using Orchestrator.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class DoctorSettings : StoreSettings
{
    [CommandArgument(0, "[SPEC]")]
    [Description("A sweep spec whose execution settings and corpora to check (default: the defaults, and data/tinyshakespeare.txt)")]
    public string? Spec { get; init; }

    [CommandOption("--json")]
    [Description("Print the findings as JSON")]
    public bool Json { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Training steps to time on the chosen device (0: none)")]
    [DefaultValue(10)]
    [TypeConverter(typeof(NumberOption<int>))]
    public int Steps { get; init; } = 10;

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        return Steps < 0 ? ValidationResult.Error($"--steps must be 0 or more, got {Steps}") : ValidationResult.Success();
    }
}

/// <summary>
/// <c>orchestrator doctor [SPEC] [--json]</c>: what a run would use and whether it would work
/// (<see cref="Doctor"/>). Exits 0 when every check passes (warnings included), 1 when one fails,
/// naming it.
/// </summary>
internal sealed class DoctorCommand : AsyncCommand<DoctorSettings>
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public override async Task<int> ExecuteAsync(CommandContext context, DoctorSettings settings, CancellationToken cancellationToken)
    {
        var spec = settings.Spec is null ? null : SpecLoader.Load(settings.Spec);
        var corpora = spec is null
            ? [new DataConfig()]
            : spec.Trials.Select(t => new DataConfig { Path = t.Config.Data.Path, Url = t.Config.Data.Url, Sha256 = t.Config.Data.Sha256 }).Distinct().ToList();
        var input = new DoctorInput(spec?.Execution ?? new ExecutionConfig(), corpora, spec is not null, () => settings.Store, settings.Steps, spec, settings.ResultsDir);
        var report = await Doctor.ExamineAsync(input, cancellationToken);

        if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(report), Json));
        else Print(report);
        return report.Ok ? CliExitCode.Ok : CliExitCode.ChecksFailed;
    }

    private static object ToJson(DoctorReport report) => new
    {
        ok = report.Ok,
        failed = report.Failed,
        checks = report.Checks.Select(c => new { name = c.Name, status = c.Status.ToString().ToLowerInvariant(), finding = c.Finding, details = c.Details }),
    };

    private static void Print(DoctorReport report)
    {
        Output.Table(["check", "status", "finding"], report.Checks.Select(c => (IReadOnlyList<string>)[c.Name, c.Status.ToString().ToLowerInvariant(), c.Finding]));
        if (report.Ok) Output.Info("a run would work" + (report.Checks.Any(c => c.Status == CheckStatus.Warn) ? " (see the warnings)" : ""));
        else Output.Error($"a run would fail: {string.Join(", ", report.Failed)} (see above)");
    }
}
