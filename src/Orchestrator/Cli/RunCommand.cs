using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
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
    public int? Parallel { get; init; }

    [CommandOption("--retry-delay <SECONDS>")]
    [Description("Delay before the first retry of a crashed trial; later retries wait about twice as long each. Default: 2")]
    public double RetryDelay { get; init; } = 2;

    [CommandOption("--plain")]
    [Description("Plain progress lines instead of progress bars (the default when stdout is not a terminal)")]
    public bool Plain { get; init; }

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (Parallel is < 1) return ValidationResult.Error($"--parallel must be 1 or more, got {Parallel}");
        if (!(RetryDelay >= 0) || !double.IsFinite(RetryDelay)) return ValidationResult.Error($"--retry-delay must be 0 or more seconds, got {RetryDelay.ToString(CultureInfo.InvariantCulture)}");
        return ValidationResult.Success();
    }
}

/// <summary><c>orchestrator run SPEC</c>: plan the sweep into the store and run its trials to the end.</summary>
public sealed class RunCommand : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        SweepSpec spec;
        try
        {
            spec = SpecLoader.Load(settings.Spec);
        }
        catch (SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            Output.Error($"{settings.Spec}: {e.Problems.Count} problem(s); nothing was run or recorded");
            return ExitCode.BadInput;
        }

        if (settings.DryRun) return DryRun(spec, settings);

        RunnerCommand runner;
        try
        {
            runner = RunnerCommand.Locate();
        }
        catch (RunnerNotFoundException e)
        {
            Output.Error(e.Message);
            return ExitCode.Error;
        }

        // First Ctrl+C / SIGTERM: stop gracefully (Runners checkpoint); a second one kills the Runners.
        using var graceful = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var immediate = new CancellationTokenSource();
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            if (!graceful.IsCancellationRequested)
            {
                Console.Error.WriteLine("stopping: asking running trials to checkpoint (press Ctrl+C again to kill them)");
                graceful.Cancel();
            }
            else
            {
                immediate.Cancel();
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var db = Database.Open(settings.DbPath);
        var registration = SweepPlan.Register(db, spec);
        Output.Info($"sweep {spec.Name}: {registration.Total} trials ({registration.Added} new; {registration.Completed} completed, "
                    + $"{registration.Failed} failed, {registration.Running} running, {registration.Pending} pending) in {db.Path}");

        string? problem;
        try
        {
            problem = await EnsureCorporaAsync(db, spec, graceful.Token);
        }
        catch (OperationCanceledException)
        {
            Output.Info("interrupted before any trial started");
            return ExitCode.Interrupted;
        }
        if (problem is not null)
        {
            Output.Error($"{problem}\nnothing was run; the sweep's trials are recorded as they were");
            return ExitCode.BadInput;
        }

        var options = Options(spec.Execution, settings);
        var owner = OwnerToken.New();
        Output.Info($"running {registration.Pending + registration.Running} trial(s), {options.Parallel} at a time, {options.ThreadsPerTrial} thread(s) each, "
                    + $"device {options.Device}, owner {owner}");


        var labels = TrialLabels.For(spec);
        var stop = new StopSignals(graceful.Token, immediate.Token);
        var executor = new LocalProcessExecutor(runner);
        Task<SweepOutcome> Run(ISweepObserver observer) => new Scheduler(db, executor, options, observer, owner).RunAsync(spec.Name, stop);
        var outcome = Output.IsTerminal && !settings.Plain
            ? await TerminalProgress.RunAsync(labels, Run)
            : await Run(new PlainProgress(Console.Out, labels));
        return Summarize(outcome);
    }

    private static SchedulerOptions Options(ExecutionConfig execution, RunSettings settings)
    {
        var parallel = settings.Parallel ?? execution.Parallel;
        return new SchedulerOptions
        {
            Parallel = parallel,
            Retries = execution.Retries,
            Lease = TimeSpan.FromSeconds(execution.LeaseSeconds),
            ThreadsPerTrial = execution.ThreadsPerTrial > 0 ? execution.ThreadsPerTrial : SchedulerOptions.DivideCores(parallel, Environment.ProcessorCount),
            Device = execution.Device,
            RetryDelay = TimeSpan.FromSeconds(settings.RetryDelay),
            PollInterval = TimeSpan.FromSeconds(Math.Clamp(execution.LeaseSeconds / 6, 0.5, 5)),
        };
    }

    /// <summary>
    /// Makes sure the corpus of every trial still to run is on disk and verified (downloading it once
    /// if needed) before any Runner starts: a missing corpus stops the run here instead of failing
    /// every trial for good. Returns the problem, or null.
    /// </summary>
    private static async Task<string?> EnsureCorporaAsync(Database db, SweepSpec spec, CancellationToken ct)
    {
        var toRun = new TrialRepository(db).ListForSweep(spec.Name)
            .Where(t => t.State is TrialStates.Pending or TrialStates.Running).Select(t => t.TrialId).ToHashSet();
        var corpora = spec.Trials.Where(t => toRun.Contains(t.Id))
            .Select(t => new DataConfig { Path = t.Config.Data.Path, Url = t.Config.Data.Url, Sha256 = t.Config.Data.Sha256 })
            .Distinct().ToList();
        using var http = new HttpClient();
        foreach (var data in corpora)
        {
            try
            {
                var file = await new CorpusStep(http).EnsureAsync(data, Output.Info, ct);
                if (file.Downloaded) Output.Info($"downloaded the corpus to {file.Path} (sha256 {file.Sha256})");
            }
            catch (CorpusException e)
            {
                return e.Message;
            }
        }
        return null;
    }

    private static int Summarize(SweepOutcome o)
    {
        Output.Info($"sweep {o.Sweep}: {o.Completed} completed, {o.Failed} failed, {o.Pending} pending, {o.Running} running (of {o.Total})");
        if (o.Interrupted)
        {
            Output.Info("interrupted: run the same command again to continue where it stopped");
            return ExitCode.Interrupted;
        }
        if (o.Failed > 0)
        {
            Output.Info($"{o.Failed} trial(s) failed; see `orchestrator status {o.Sweep}` for the reasons");
            return ExitCode.TrialsFailed;
        }
        return ExitCode.Ok;
    }

    private static int DryRun(SweepSpec spec, RunSettings settings)
    {
        Database? db = null;
        if (File.Exists(settings.DbPath))
        {
            try { db = Database.OpenReadOnly(settings.DbPath); }
            catch (StoreException e) { Output.Error(e.Message); return ExitCode.BadInput; }
        }
        var rows = SweepPlan.Describe(spec, db);
        var gridKeys = spec.Trials.SelectMany(t => t.Grid.Keys).Distinct().ToList();
        var repeats = spec.Trials.Any(t => t.Repeat > 0);
        var columns = new List<string> { "#", "trial" };
        columns.AddRange(gridKeys);
        if (repeats) columns.Add("repeat");
        columns.AddRange(["state", "epoch", "step"]);
        Output.Table(columns, rows.Select(r =>
        {
            var cells = new List<string> { r.Trial.Ordinal.ToString(CultureInfo.InvariantCulture), r.Trial.Id };
            cells.AddRange(gridKeys.Select(k => r.Trial.Grid.TryGetValue(k, out var v) ? v : ""));
            if (repeats) cells.Add(r.Trial.Repeat.ToString(CultureInfo.InvariantCulture));
            cells.Add(r.Stored?.State ?? "new");
            cells.Add(r.Stored is null ? "-" : $"{r.Stored.Epoch}/{r.Trial.Config.Train.Epochs}");
            cells.Add(r.Stored is null ? "-" : r.Stored.Step.ToString(CultureInfo.InvariantCulture));
            return (IReadOnlyList<string>)cells;
        }), title: $"sweep {spec.Name}: {rows.Count} trials (dry run, nothing recorded)");
        var x = spec.Execution;
        Output.Info($"execution: parallel {settings.Parallel ?? x.Parallel}, retries {x.Retries}, lease {x.LeaseSeconds.ToString(CultureInfo.InvariantCulture)} s, device {x.Device}");
        return ExitCode.Ok;
    }
}
