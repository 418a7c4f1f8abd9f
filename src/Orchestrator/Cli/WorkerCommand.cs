using System.ComponentModel;
using Core.Spec;
using Core.Store;
using Orchestrator.Progress;
using Orchestrator.Runs;
using Orchestrator.Scheduling;
using Orchestrator.Slurm;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class WorkerSettings : StoreSettings
{
    [CommandOption("--sweep <NAME>")]
    [Description("The sweep whose pending trials this worker claims (recorded by `orchestrator run` first)")]
    public string? Sweep { get; init; }

    [CommandOption("--parallel <N>")]
    [Description("Trials this worker runs at once. Default: 1")]
    [TypeConverter(typeof(NumberOption<int>))]
    public int? Parallel { get; init; }

    [CommandOption("--no-early-stopping")]
    [Description("Ignore the sweep's early_stopping: train every trial to its full budget (`run --no-early-stopping` writes it into the job script)")]
    public bool NoEarlyStopping { get; init; }

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (string.IsNullOrWhiteSpace(Sweep)) return ValidationResult.Error("--sweep NAME is required: the sweep whose trials this worker runs");
        if (Parallel is < 1) return ValidationResult.Error($"--parallel must be 1 or more, got {Parallel}");
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>orchestrator worker --db DB --sweep NAME</c>: what each Slurm array task runs. Claims the
/// sweep's pending trials one at a time under the lease protocol (the same scheduler and local
/// Runners as <c>run</c>), records its array task with each attempt, and exits when nothing is left
/// to claim. SIGTERM (Slurm's warning before the time limit, preemption, scancel) makes its Runners
/// checkpoint and put their trials back to pending; the worker then exits 0. Exit codes: 0 nothing
/// left (or stopped, trials released), 2 bad input (no such database or sweep), 3 another error.
/// </summary>
internal sealed class WorkerCommand : AsyncCommand<WorkerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
    {
        // The store as `run` names it to Runners: --db without a password (that comes by environment), and --results for PostgreSQL.
        var store = settings.Store;
        // A worker never creates a database: an SQLite file missing here is one this node cannot see.
        Database db;
        // `run` reached this database when it submitted the job: one that blinks now is waited for, not a failed task.
        try { db = Database.OpenExisting(store, settings.ResultsDir, OutagePolicy.For()); }
        catch (DatabaseNotFoundException) { throw new WorkerDatabaseException(store.SqlitePath); }
        var sweep = new SweepRepository(db).Find(settings.Sweep);
        var spec = SpecLoader.LoadText(sweep.SpecPath ?? sweep.Name, sweep.SpecYaml ?? "");
        db.Outage = OutagePolicy.For(spec.Execution.DbOutage);
        db.OnOutage = Output.Warning;
        // Libtorch, GPUs and MPS as on this node (its CUDA_VISIBLE_DEVICES is what Slurm's gres gave the task).
        var task = SlurmEnvironment.TaskName();
        await using var run = await LocalRun.StartAsync(spec.Execution,
            new LocalRunOptions(settings.Parallel ?? 1, null, SlurmEnvironment.Cpus() ?? Environment.ProcessorCount, WaitForOthers: false, SlurmJob: task,
                EarlyStopping: settings.NoEarlyStopping ? null : spec.EarlyStopping),
            signal => Output.Info($"{signal}: asking running trials to checkpoint; they go back to pending for the next worker"), cancellationToken);

        var options = run.Options;
        var restarts = SlurmEnvironment.Restarts();
        Output.Info($"worker for sweep {sweep.Name} on {Environment.MachineName}" + (task is null ? "" : $", Slurm job {task}")
                    + (restarts > 0 ? $" (requeued {restarts} time(s))" : "")
                    + $": {options.Parallel} trial(s) at a time, {options.ThreadsPerTrial} thread(s) each, device {options.Device}, owner {run.Owner}, database {db.Path}");
        foreach (var line in run.Setup) Output.Info(line);

        var outcome = await run.RunAsync(db, sweep.Name, new PlainProgress(Console.Out, TrialLabels.For(spec)));

        int Count(TrialResult r) => outcome.Handled.Count(h => h.Result == r);
        var released = Count(TrialResult.Interrupted) + Count(TrialResult.Requeued);
        Output.Info($"worker done: {outcome.Handled.Count} trial(s) handled ({Count(TrialResult.Completed)} completed, {Count(TrialResult.Failed)} failed, {Count(TrialResult.Stopped)} stopped early, "
                    + $"{released} back to pending); {outcome.Counts.Line(sweep.Name)}"
                    + (outcome.Interrupted ? "; stopped by a signal" : "; nothing left to claim"));
        return SweepLines.Finishing(CliExitCode.Ok);
    }
}

/// <summary>The worker's database is not there: on a cluster, the path is not shared with this node.</summary>
internal sealed class WorkerDatabaseException(string path)
    : Exception($"no database at {path} on {Environment.MachineName}: a worker's --db must be the database `orchestrator run` recorded the sweep in, "
                + "as this node sees it. An SQLite file is seen only by the host whose disk holds it, so with SQLite the workers must run on that host "
                + "(a one-node cluster); across several nodes use PostgreSQL (docs/cluster.md)");
