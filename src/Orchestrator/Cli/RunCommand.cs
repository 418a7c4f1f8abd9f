using System.ComponentModel;
using System.Globalization;
using Core.Spec;
using Core.Store;
using Orchestrator.Progress;
using Orchestrator.Planning;
using Orchestrator.Queries;
using Orchestrator.Runs;
using Orchestrator.Scheduling;
using Orchestrator.Serve;
using Orchestrator.Slurm;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class RunSettings : StoreSettings
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

    [CommandOption("--no-early-stopping")]
    [Description("Ignore the spec's early_stopping for this run, and train the trials it stopped to their full budget (from their newest checkpoint)")]
    public bool NoEarlyStopping { get; init; }

    [CommandOption("--plain")]
    [Description("Plain progress lines instead of progress bars (the default when stdout is not a terminal)")]
    public bool Plain { get; init; }

    [CommandOption("--executor <EXECUTOR>")]
    [Description("Where trials run: local (Runners on this machine) or slurm (workers submitted as a Slurm job array). Overrides execution.executor")]
    public string? Executor { get; init; }

    [CommandOption("--detach")]
    [Description("Slurm: return once the workers are submitted, instead of following them to the end")]
    public bool Detach { get; init; }

    [CommandOption("--serve [PORT]")]
    [Description("Also serve the live web view (as `orchestrator serve` does, on 127.0.0.1) while the run lasts; its URL is printed first. Default port: 8765")]
    public FlagValue<string>? Serve { get; init; }

    /// <summary>The port of <c>--serve [PORT]</c>; null without <c>--serve</c>.</summary>
    public int? ServePort => Serve is { IsSet: true } s
        ? string.IsNullOrEmpty(s.Value) ? ServeOptions.DefaultPort : int.Parse(s.Value, CultureInfo.InvariantCulture)
        : null;

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (Serve is { IsSet: true, Value: { Length: > 0 } port } && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535))
            return ValidationResult.Error($"--serve takes a port from 0 to 65535 (or none, for {ServeOptions.DefaultPort}), got '{port}'");
        if (Parallel is < 1) return ValidationResult.Error($"--parallel must be 1 or more, got {Parallel}");
        if (!(RetryDelay >= 0) || !double.IsFinite(RetryDelay)) return ValidationResult.Error($"--retry-delay must be 0 or more seconds, got {RetryDelay.ToString(CultureInfo.InvariantCulture)}");
        if (Executor is not null && !Executors.All.Contains(Executor))
            return ValidationResult.Error($"--executor must be one of {string.Join(", ", Executors.All)}, got '{Executor}'");
        return ValidationResult.Success();
    }
}

/// <summary><c>orchestrator run SPEC</c>: plan the sweep into the store and run its trials to the end.</summary>
internal sealed class RunCommand : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var spec = SpecLoader.Load(settings.Spec);
        if (settings.DryRun) return await DryRunTable.PrintAsync(spec, settings, cancellationToken);
        // The view reads the store as `serve` does; until this run has created it, its pages say so and retry.
        await using var view = settings.ServePort is { } port
            ? await ServeHost.StartAsync(new ServeOptions(ServeOptions.DefaultHost, port, settings.Store, settings.ResultsDir), cancellationToken)
            : null;
        if (view is not null) Output.Info($"serving {settings.Store.Display} at {view.Url} while the run lasts");
        var executor = settings.Executor ?? spec.Execution.Executor;
        if (executor == Executors.Slurm) return await RunOnSlurmAsync(spec, settings, cancellationToken);
        if (settings.Detach)
            throw new OptionConflictException($"--detach works with the slurm executor only (the executor here is {executor}); add --executor slurm, or leave --detach out");
        var store = settings.Store;
        if (store.Kind == StoreKind.Sqlite && StorePlacement.NetworkMount(store.SqlitePath) is { } mount)
            Output.Warning(StorePlacement.Problem(store.SqlitePath, mount));
        // How Runners start (libtorch, GPUs, MPS) is settled before anything is recorded: settings that cannot be met record nothing.
        // First Ctrl+C / SIGTERM: stop gracefully (Runners checkpoint); a second one kills the Runners.
        TerminalProgress? board = null; // while it is on screen, it prints the stop's message above itself
        await using var run = await LocalRun.StartAsync(spec.Execution, new LocalRunOptions(settings.Parallel, settings.RetryDelay, Environment.ProcessorCount,
                EarlyStopping: settings.NoEarlyStopping ? null : spec.EarlyStopping),
            _ => Say("stopping: asking running trials to checkpoint (press Ctrl+C again to kill them)"),
            cancellationToken,
            signal => Say($"{signal} again: killing the Runners of any trial still running; such trials go back to pending and resume from their newest checkpoints"));
        void Say(string message)
        {
            if (board is { } b) b.Message(message);
            else Console.Error.WriteLine(message);
        }

        var db = Database.Open(store, settings.ResultsDir);
        db.Outage = OutagePolicy.For(spec.Execution.DbOutage); // from here on, a database that blinks is waited for
        db.OnOutage = Output.Warning;
        var registration = SweepLines.Register(db, spec, settings.RetryFailed, settings.NoEarlyStopping);
        await Corpora.EnsureAsync(db, spec, Output.Info, run.Stopping);

        var options = run.Options;
        foreach (var line in run.Setup) Output.Info(line);
        if (options.EarlyStopping is { } rule) Output.Info($"early stopping: {rule.Describe()}");
        Output.Info($"running {registration.ToRun} trial(s), {options.Parallel} at a time, {options.ThreadsPerTrial} thread(s) each, "
                    + $"device {options.Device}, owner {run.Owner}");

        var labels = TrialLabels.For(spec);
        SweepOutcome outcome;
        if (Output.IsTerminal && !settings.Plain)
        {
            using (board = new TerminalProgress(spec.Name, labels, registration.ToRun))
                outcome = await run.RunAsync(db, spec.Name, board);
            board = null;
        }
        else
        {
            outcome = await run.RunAsync(db, spec.Name, new PlainProgress(Console.Out, labels));
        }
        return Summarize(outcome, BestTrial.Of(db, spec.Name));
    }

    private static int Summarize(SweepOutcome o, BestTrial? best) => SweepLines.Finishing(SummaryCode(o, best));

    private static int SummaryCode(SweepOutcome o, BestTrial? best)
    {
        SweepLines.End(o.Sweep, o.Counts, best);
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

    /// <summary>The slurm executor (<see cref="SlurmRun"/>): what its end means for the user, and the exit code.</summary>
    private static async Task<int> RunOnSlurmAsync(SweepSpec spec, RunSettings settings, CancellationToken cancellationToken)
    {
        var store = settings.Store;
        var options = new SlurmRunOptions(store, settings.ResultsDir, settings.Parallel, settings.RetryFailed, settings.Detach,
            settings.Executor is null ? $"execution.executor in {spec.Path}" : "--executor slurm", settings.NoEarlyStopping);
        var logFolder = SlurmRun.Script(spec, store, settings.ResultsDir).LogFolder;
        var follow = new SlurmProgress(Console.Out, TrialLabels.For(spec), spec.Trials.ToDictionary(t => t.Id, t => t.Config.Train.Epochs), logFolder);
        var r = await SlurmRun.ExecuteAsync(spec, options, SweepLines.Log, follow, cancellationToken);
        return SweepLines.Finishing(SlurmSummaryCode(r));
    }

    private static int SlurmSummaryCode(SlurmRunResult r)
    {
        if (r.Counts is { } counts) SweepLines.End(r.Sweep, counts, r.Best);
        var unfinished = r.Counts?.Unfinished ?? 0;
        switch (r.End)
        {
            case SlurmRunEnd.NothingToRun:
                Output.Info($"nothing to run: every trial of sweep {r.Sweep} is completed or failed");
                return SweepLines.Failed(r.Sweep, r.Failed);
            case SlurmRunEnd.Detached:
                Output.Info($"detached: `orchestrator status {r.Sweep}` shows the trials and their jobs, `orchestrator cancel {r.Sweep}` stops them; "
                            + $"worker logs in {r.LogFolder}");
                return CliExitCode.Ok;
            case SlurmRunEnd.Finished:
                return SweepLines.Failed(r.Sweep, r.Failed);
            case SlurmRunEnd.StoppedFollowing:
                Output.Info($"stopped following; the jobs run on: `orchestrator status {r.Sweep}` shows them, `orchestrator cancel {r.Sweep}` stops them");
                return CliExitCode.Interrupted;
            case SlurmRunEnd.WorkersFailed:
                var broken = r.FailedTasks;
                Output.Error($"{broken.Count} worker task(s) failed ({string.Join(", ", broken.Take(5).Select(t => t.Name))}{(broken.Count > 5 ? ", …" : "")}) and no job "
                             + $"of the sweep is left, with {unfinished} trial(s) unfinished; their logs in {r.LogFolder} say why");
                return CliExitCode.Error;
            default:
                Output.Info($"no job of sweep {r.Sweep} is left in the queue, and {unfinished} trial(s) are unfinished (cancelled, or stopped at a time limit): "
                            + "run the same command again to submit workers for them; they resume from their newest checkpoints");
                return CliExitCode.Interrupted;
        }
    }
}
