using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Execution.Libtorch;
using Orchestrator.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class SampleSettings : StoreSettings
{
    [CommandOption("--trial <ID|NAME=VALUE,…>")]
    [Description("The trial to sample from: its id or a prefix of it that only it has (as `status` shows them), "
                 + "or its grid values, e.g. cell=gru,hidden=128,seq_len=50")]
    public string Trial { get; init; } = "";

    [CommandOption("--checkpoint <NAME>")]
    [Description("Checkpoint to load, e.g. ckpt_3. Default: the trial's newest")]
    public string? Checkpoint { get; init; }

    [CommandOption("--prime <TEXT>")]
    [Description("Text to start from. Default: the trial's sample.prime (JULIET in the study)")]
    public string? Prime { get; init; }

    [CommandOption("--length <N>")]
    [Description("Characters to generate, at most 100000. Default: the trial's sample.length")]
    [TypeConverter(typeof(NumberOption<int>))]
    public int? Length { get; init; }

    /// <summary>The longest sample <c>--length</c> asks for: one model step per character, seconds to minutes on a CPU, never hours.</summary>
    public const int MaxLength = 100_000;

    [CommandOption("--temperature <T>")]
    [Description("Sampling temperature (> 0; lower is more conservative). Default: the trial's sample.temperature")]
    [TypeConverter(typeof(NumberOption<double>))]
    public double? Temperature { get; init; }

    [CommandOption("--top-k <K>")]
    [Description("Sample only among the K most likely characters (0 = all). Default: the trial's sample.top_k")]
    [TypeConverter(typeof(NumberOption<int>))]
    public int? TopK { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Random seed of the sampling. Default: the trial's sample.seed")]
    [TypeConverter(typeof(NumberOption<long>))]
    public long? Seed { get; init; }

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (string.IsNullOrWhiteSpace(Trial)) return ValidationResult.Error("--trial ID is required (see `orchestrator status` for the ids)");
        if (Prime is "") return ValidationResult.Error("--prime must be at least one character");
        if (Length is < 1) return ValidationResult.Error($"--length must be 1 or more, got {Length}");
        if (Length > MaxLength)
            return ValidationResult.Error($"--length must be at most {MaxLength}, got {Length}: each character is one step of the model, so {Length} characters would run for hours; " +
                                          "sample in pieces, priming each with the end of the last (--prime)");
        if (TopK is < 0) return ValidationResult.Error($"--top-k must be 0 or more, got {TopK}");
        if (Temperature is { } t && !(t > 0 && double.IsFinite(t))) return ValidationResult.Error($"--temperature must be greater than 0, got {t.ToString(CultureInfo.InvariantCulture)}");
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>orchestrator sample --trial ID</c>: generates text from a trial's checkpoint (the trial found by <see cref="TrialSelection"/>). Runs the
/// Runner's <c>sample</c> command as a child process (TorchSharp never loads in the orchestrator),
/// with the libtorch <c>run</c> would choose (<see cref="LibtorchRunner"/>: ORCHESTRATOR_LIBTORCH,
/// else <c>auto</c>; there is no spec to take <c>execution.libtorch</c> from), and passes its output
/// through; its exit code becomes the CLI's (<see cref="FromRunner"/>).
/// </summary>
internal sealed class SampleCommand : AsyncCommand<SampleSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SampleSettings settings, CancellationToken cancellationToken)
    {
        var db = Database.OpenReadOnly(settings.Store, settings.ResultsDir);
        var trial = new TrialRepository(db).Get(TrialSelection.Resolve(db, settings.Trial))!;
        // The libtorch a run's Runners would load (ORCHESTRATOR_LIBTORCH, else auto), started the same way.
        var (runner, libtorch, libtorchEnvironment) = LibtorchRunner.Choose(LibtorchSetting.Auto);
        if (libtorch.Warning is { } warning) Console.Error.WriteLine($"warning: {warning}");

        // Options left out take the trial's own sample settings (the Runner reads them from its config).
        var args = new List<string> { "sample" };
        args.AddRange(db.Location.ChildArguments(db.Folder).ToArguments());
        args.AddRange(["--trial", trial.TrialId]);
        void Add(string name, string? value) { if (value is not null) args.AddRange([name, value]); }
        Add("--checkpoint", settings.Checkpoint);
        Add("--prime", settings.Prime);
        Add("--length", settings.Length?.ToString(CultureInfo.InvariantCulture));
        Add("--temperature", settings.Temperature?.ToString(CultureInfo.InvariantCulture));
        Add("--top-k", settings.TopK?.ToString(CultureInfo.InvariantCulture));
        Add("--seed", settings.Seed?.ToString(CultureInfo.InvariantCulture));

        var start = runner.StartInfo(args, redirect: false);
        foreach (var (name, value) in libtorchEnvironment) start.Environment[name] = value;
        foreach (var (name, value) in db.Location.ChildEnvironment) start.Environment[name] = value;
        using var process = Process.Start(start)
                            ?? throw new InvalidOperationException($"could not start {runner}");
        await process.WaitForExitAsync(CancellationToken.None);
        return FromRunner(process.ExitCode);
    }

    /// <summary>
    /// The Runner's exit code (its process contract, <see cref="Core.Contract.RunnerExitCode"/>, docs/contract.md) as the CLI's: done
    /// and bad input (an unknown checkpoint, a bad option) keep their meaning; anything else is an error.
    /// </summary>
    private static int FromRunner(int code) => code switch
    {
        Core.Contract.RunnerExitCode.Done => CliExitCode.Ok,
        Core.Contract.RunnerExitCode.BadInput => CliExitCode.BadInput,
        _ => CliExitCode.Error,
    };
}
