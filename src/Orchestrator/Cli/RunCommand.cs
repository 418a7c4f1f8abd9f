using System.ComponentModel;
using System.Globalization;
using Core.Config;
using Core.Data;
using Core.Spec;
using Core.Store;
using Orchestrator.Cli.Progress;
using Orchestrator.Execution;
using Orchestrator.Planning;
using Orchestrator.Scheduling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

public sealed class RunSettings : StoreSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("The sweep spec (YAML), e.g. experiments/quick.yaml")]
    public string Spec { get; init; } = "";

    [CommandOption("--dry-run")]
    [Description("Print the expanded trials (id, grid values, state if known) and run nothing")]
    public bool DryRun { get; init; }

    [CommandOption("--parallel <N>")]
    [Description("Trials at once (overrides execution.parallel); CPU cores are divided between them")]
    [TypeConverter(typeof(NumberOption<int>))]
    public int? Parallel { get; init; }

    [CommandOption("--retry-delay <SECONDS>")]
    [Description("Delay before the first retry of a crashed trial; later retries wait about twice as long each")]
    [DefaultValue(SchedulerOptions.DefaultRetryDelaySeconds)]
    [TypeConverter(typeof(NumberOption<double>))]
    public double RetryDelay { get; init; } = SchedulerOptions.DefaultRetryDelaySeconds;

    [CommandOption("--retry-failed")]
    [Description("Put the sweep's failed trials back to pending first, so they run again (resuming from their newest checkpoint)")]
    public bool RetryFailed { get; init; }

    [CommandOption("--plain")]
    [Description("Plain progress lines instead of progress bars (the default when stdout is not a terminal)")]
    public bool Plain { get; init; }

    [CommandOption("--executor <EXECUTOR>")]
    [Description("Where trials run: local (Runners on this machine) or slurm (workers submitted as a Slurm job array). Overrides execution.executor")]
    public string? Executor { get; init; }

    [CommandOption("--detach")]
    [Description("Slurm: return once the workers are submitted, instead of following them to the end")]
    public bool Detach { get; init; }

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (Parallel is < 1) return ValidationResult.Error($"--parallel must be 1 or more, got {Parallel}");
        if (!(RetryDelay >= 0) || !double.IsFinite(RetryDelay)) return ValidationResult.Error($"--retry-delay must be 0 or more seconds, got {RetryDelay.ToString(CultureInfo.InvariantCulture)}");
        if (Executor is not null && !Executors.All.Contains(Executor))
            return ValidationResult.Error($"--executor must be one of {string.Join(", ", Executors.All)}, got '{Executor}'");
        return ValidationResult.Success();
    }
}

/// <summary><c>orchestrator run SPEC</c>: plan the sweep into the store and run its trials to the end.</summary>
public sealed class RunCommand : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var spec = SpecLoader.Load(settings.Spec);
        if (settings.DryRun) return DryRunTable.Print(spec, settings);
        var executor = settings.Executor ?? spec.Execution.Executor;
        if (executor == Executors.Slurm) return await SlurmRun.ExecuteAsync(spec, settings, cancellationToken);
        if (settings.Detach)
            throw new OptionConflictException($"--detach works with the slurm executor only (the executor here is {executor}); add --executor slurm, or leave --detach out");
        var store = settings.Store;
        if (store.Kind == StoreKind.Sqlite && StorePlacement.NetworkMount(store.SqlitePath) is { } mount)
            Output.Warning(StorePlacement.Problem(store.SqlitePath, mount));
        // How Runners start (libtorch, GPUs, MPS) is settled before anything is recorded: settings that cannot be met record nothing.
        await using var setup = await RunnerSetup.StartAsync(spec.Execution, cancellationToken);

        // First Ctrl+C / SIGTERM: stop gracefully (Runners checkpoint); a second one kills the Runners.
        using var signals = new StopOnSignals(cancellationToken,
            _ => Console.Error.WriteLine("stopping: asking running trials to checkpoint (press Ctrl+C again to kill them)"));

        var db = Database.Open(store, settings.ResultsDir);
        var registration = SweepLines.Register(db, spec, settings.RetryFailed);

        await Corpora.EnsureAsync(db, spec, Output.Info, signals.Graceful);

        var options = SchedulerOptions.From(spec.Execution, settings.Parallel, settings.RetryDelay, Environment.ProcessorCount, setup.Gpus, setup.Environment);
        var owner = Core.Contract.OwnerToken.New();
        foreach (var line in setup.Describe(spec.Execution.TrialsPerGpu)) Output.Info(line);
        Output.Info($"running {registration.Pending + registration.Running} trial(s), {options.Parallel} at a time, {options.ThreadsPerTrial} thread(s) each, "
                    + $"device {options.Device}, owner {owner}");

        var labels = TrialLabels.For(spec);
        var stop = signals.Signals;
        var local = new LocalProcessExecutor(setup.Runner);
        Task<SweepOutcome> Run(ISweepObserver observer) => new Scheduler(db, local, options, observer, owner).RunAsync(spec.Name, stop);
        var outcome = Output.IsTerminal && !settings.Plain
            ? await TerminalProgress.RunAsync(labels, Run)
            : await Run(new PlainProgress(Console.Out, labels));
        return Summarize(outcome);
    }

    private static int Summarize(SweepOutcome o)
    {
        Output.Info(o.Counts.Line(o.Sweep));
        var unfinished = o.Counts.Unfinished;
        if (o.Interrupted && unfinished > 0)
        {
            Output.Info($"interrupted: run the same command again to continue where it stopped ({unfinished} trial(s) unfinished)");
            return CliExitCode.Interrupted;
        }
        // A stop that came after the last trial ended interrupted nothing: the sweep is done.
        if (o.Interrupted) Output.Info("the stop came after every trial had ended; nothing was interrupted");
        return SweepLines.Failed(o.Sweep, o.Failed);
    }
}
