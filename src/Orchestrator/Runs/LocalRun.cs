using Core.Contract;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Scheduling;

namespace Orchestrator.Runs;

/// <summary>
/// What a local run takes from its command line: trials at once (null: execution.parallel), the
/// first retry delay (null: the default), the cores the Runners share, whether to wait for trials
/// other owners hold (a worker does not), and the Slurm array task it runs in (a worker's).
/// With <paramref name="EarlyStopping"/>, Runners stop hopeless trials by that rule.
/// </summary>
internal sealed record LocalRunOptions(int? Parallel, double? RetryDelaySeconds, int Cores, bool WaitForOthers = true, string? SlurmJob = null,
    EarlyStoppingConfig? EarlyStopping = null);

/// <summary>
/// The local pipeline that <c>run</c> and <c>worker</c> share: how Runners start (libtorch, GPUs, MPS;
/// settled before anything is recorded, see <see cref="RunnerSetup"/>), SIGINT/SIGTERM as stop
/// requests (the first asks Runners to checkpoint, a second kills them), the scheduler's options,
/// this process's owner token, and the scheduler with local Runner processes. Start it, do what
/// comes before the trials (recording the sweep, the corpus) under <see cref="Stopping"/>, then
/// <see cref="RunAsync"/>. Dispose it to restore the signals and stop an MPS daemon it started.
/// </summary>
internal sealed class LocalRun : IAsyncDisposable
{
    private readonly RunnerSetup _setup;
    private readonly StopOnSignals _signals;
    private readonly int _trialsPerGpu;

    private LocalRun(RunnerSetup setup, StopOnSignals signals, SchedulerOptions options, int trialsPerGpu)
    {
        _setup = setup;
        _signals = signals;
        _trialsPerGpu = trialsPerGpu;
        Options = options;
    }

    /// <summary>This run's owner token, recorded on every trial it claims.</summary>
    public string Owner { get; } = OwnerToken.New();

    public SchedulerOptions Options { get; }

    /// <summary>Lines for people about how Runners start: libtorch, warnings, GPUs, MPS.</summary>
    public IEnumerable<string> Setup => _setup.Describe(_trialsPerGpu);

    /// <summary>Cancelled on the first SIGINT/SIGTERM: for the work before the trials start.</summary>
    public CancellationToken Stopping => _signals.Graceful;

    /// <param name="onStopRequested">Called once, on the first signal, with its name (to tell the user what happens now).</param>
    /// <param name="onKill">Called on every later signal, with its name: the Runners are killed.</param>
    public static async Task<LocalRun> StartAsync(ExecutionConfig execution, LocalRunOptions options, Action<string> onStopRequested, CancellationToken ct,
        Action<string>? onKill = null)
    {
        var setup = await RunnerSetup.StartAsync(execution, ct).ConfigureAwait(false);
        var schedulerOptions = SchedulerOptions.From(execution, options.Parallel, options.RetryDelaySeconds, options.Cores, setup.Gpus, setup.Environment)
            with { WaitForOthers = options.WaitForOthers, SlurmJob = options.SlurmJob, EarlyStopping = options.EarlyStopping };
        return new LocalRun(setup, new StopOnSignals(ct, onStopRequested, onKill), schedulerOptions, execution.TrialsPerGpu);
    }

    /// <summary>Runs the sweep's claimable trials in local Runner processes until the scheduler is done (<see cref="Scheduler.RunAsync"/>).</summary>
    public Task<SweepOutcome> RunAsync(Database db, string sweep, ISweepObserver observer) =>
        new Scheduler(db, new LocalProcessExecutor(_setup.Runner), Options, observer, Owner).RunAsync(sweep, _signals.Signals);

    public async ValueTask DisposeAsync()
    {
        _signals.Dispose();
        await _setup.DisposeAsync().ConfigureAwait(false);
    }
}
