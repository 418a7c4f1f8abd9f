using System.Diagnostics;
using Core.Config;
using Core.Contract;
using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Orchestrator.Execution;
using Orchestrator.Scheduling;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Every way <see cref="TrialSupervisor"/> can conclude a trial, driven through a scripted executor
/// against a real store: fast, beside the tests with real Runner processes.
/// </summary>
public sealed class TrialSupervisorTests : IDisposable
{
    private const string Owner = "orchestrator-test";
    private readonly TempDir _dir = new("supervisor");
    private readonly Database _db;
    private readonly TrialRepository _trials;
    private readonly RecordingObserver _observer = new();

    public TrialSupervisorTests()
    {
        _db = Database.Open(_dir.File("o.db"));
        _trials = new TrialRepository(_db);
        var plan = new[] { 8, 16, 24 }.Select((h, i) =>
        {
            var config = new TrialConfig { Model = new ModelConfig { Hidden = h } };
            return new SweepMember(config.Id(), config.ToCanonicalJson(), i, $"{{\"model.hidden\":\"{h}\"}}", 0);
        }).ToList();
        new SweepRepository(_db).Register("s", null, null, plan);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static SchedulerOptions Options(int retries = 2, int parallel = 1, double retryDelaySeconds = 0.001) =>
        SchedulerOptions.From(new ExecutionConfig { Device = "cpu", Parallel = parallel, Retries = retries, Lease = TimeSpan.FromSeconds(30) }, null, retryDelaySeconds, cores: 1);

    private async Task<(TrialOutcome Outcome, TrialRow Row, IReadOnlyList<AttemptRow> Attempts)> SuperviseAsync(
        ScriptedExecutor executor, SchedulerOptions? options = null, Concurrency? concurrency = null, StopSignals? stop = null, GpuSlot? gpu = null)
    {
        var claimed = _trials.ClaimNext("s", Owner, TimeSpan.FromSeconds(30))!;
        var supervisor = new TrialSupervisor(_db, executor, options ?? Options(), concurrency ?? new Concurrency(1), Owner, _observer);
        var outcome = await supervisor.RunAsync(claimed, gpu ?? GpuSlot.None, stop ?? StopSignals.None);
        return (outcome, _trials.Get(claimed.TrialId)!, _trials.Attempts(claimed.TrialId));
    }

    [Fact]
    public async Task A_trial_its_runner_completed_is_completed_and_its_events_are_passed_on()
    {
        var (outcome, row, attempts) = await SuperviseAsync(new ScriptedExecutor(_db, r => r.Completes()));

        Assert.Equal((TrialResult.Completed, 1), (outcome.Result, outcome.Attempts));
        Assert.Equal(TrialStates.Completed, row.State);
        Assert.Equal(["completed"], attempts.Select(a => a.Outcome));
        Assert.Equal([typeof(StartEvent), typeof(DoneEvent)], _observer.Events.Select(e => e.Event.GetType()));
    }

    [Fact]
    public async Task A_trial_its_runner_failed_for_bad_input_keeps_the_runners_message_gets_its_stderr_beside_it_and_is_not_retried()
    {
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.BadInput, "the corpus /x/corpus.txt does not exist", "runner: error: the corpus /x/corpus.txt does not exist"));
        var (outcome, row, attempts) = await SuperviseAsync(executor);

        Assert.Equal((TrialResult.Failed, "the corpus /x/corpus.txt does not exist", 1), (outcome.Result, outcome.Reason, executor.Attempts));
        Assert.Equal((TrialStates.Failed, FailureKind.BadInput, "runner: error: the corpus /x/corpus.txt does not exist"), (row.State, row.FailureKind, row.StderrTail));
        Assert.Equal("runner: error: the corpus /x/corpus.txt does not exist", Assert.Single(attempts).StderrTail);
    }

    [Fact]
    public async Task A_crash_is_retried_then_failed_with_the_runners_own_message_and_the_stack_trace_kept_apart()
    {
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.Crashed, $"IOException: disk full ({r.Attempt} GB short)",
            "runner: crashed: System.IO.IOException: disk full", "   at Program.<Main>$(String[] args) in Program.cs:line 18"));
        var (outcome, row, attempts) = await SuperviseAsync(executor);

        Assert.Equal((TrialResult.Failed, 3), (outcome.Result, executor.Attempts));
        Assert.Equal("crashed (exit 1) on attempt 3 of 3: IOException: disk full (3 GB short)", row.Failure);
        Assert.Equal((FailureKind.Crashed, 1), (row.FailureKind, row.ExitCode));
        Assert.EndsWith("at Program.<Main>$(String[] args) in Program.cs:line 18", row.StderrTail);
        Assert.Equal(["retry", "retry", "failed"], attempts.Select(a => a.Outcome));
        Assert.Equal("crashed (exit 1): IOException: disk full (1 GB short)", attempts[0].Reason);
        Assert.All(attempts, a => Assert.Contains("at Program.<Main>$", a.StderrTail));
        Assert.Equal(2, _observer.Lines.Count(l => l.Contains(" retry ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_failure_that_repeats_exactly_is_not_retried_again()
    {
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.Crashed, "ExternalException: shape '[8, -1]' is invalid for input of size 7"));
        var (outcome, row, attempts) = await SuperviseAsync(executor, Options(retries: 5));

        Assert.Equal((TrialResult.Failed, 2), (outcome.Result, executor.Attempts));
        Assert.Equal("crashed (exit 1) on attempt 2 of 6, exactly as on attempt 1, so not retried: ExternalException: shape '[8, -1]' is invalid for input of size 7", row.Failure);
        Assert.Equal(["retry", "failed"], attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_runner_killed_by_a_signal_is_retried_and_described_by_the_signal_its_stderr_tail_kept_apart()
    {
        var executor = new ScriptedExecutor(_db, r => r.Exit(137, "runner: epoch 1 (step 10): …", "runner: ckpt_1 at step 10"));
        var (outcome, row, attempts) = await SuperviseAsync(executor);

        Assert.Equal((TrialResult.Failed, 3), (outcome.Result, executor.Attempts));
        // Its last stderr line was progress, not why it ended (issue 17 §5): the reason is the signal, the tail has its own column.
        Assert.Equal("killed by signal 9 (exit 137) on attempt 3 of 3", row.Failure);
        Assert.Equal("runner: epoch 1 (step 10): …\nrunner: ckpt_1 at step 10", attempts[^1].StderrTail);
        Assert.Equal(FailureKind.Crashed, row.FailureKind);
    }

    [Fact]
    public async Task Out_of_memory_beside_other_trials_sends_the_trial_back_to_pending_and_lowers_the_concurrency()
    {
        var concurrency = new Concurrency(3);
        using var neighbour = concurrency.Start();
        using var another = concurrency.Start();
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.OutOfMemory, "out of memory: CUDA out of memory. Tried to allocate 2.00 GiB"));
        var (outcome, row, attempts) = await SuperviseAsync(executor, concurrency: concurrency);

        Assert.Equal((TrialResult.Requeued, 1, 2), (outcome.Result, executor.Attempts, concurrency.Limit));
        Assert.Equal((TrialStates.Pending, FailureKind.OutOfMemory), (row.State, row.FailureKind));
        Assert.Equal("out of memory (exit 6) while 3 trials ran at once: out of memory: CUDA out of memory. Tried to allocate 2.00 GiB", row.Failure);
        Assert.Equal(["requeued"], attempts.Select(a => a.Outcome));
        Assert.Contains(_observer.Lines, l => l.EndsWith("warning: out of memory beside 2 other trial(s): back to pending; from now on at most 2 trial(s) run at once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Out_of_memory_alone_fails_the_trial_at_once()
    {
        var concurrency = new Concurrency(2);
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.OutOfMemory, "out of memory: DefaultCPUAllocator: can't allocate memory: you tried to allocate 3221225472 bytes."));
        var (outcome, row, _) = await SuperviseAsync(executor, concurrency: concurrency);

        Assert.Equal((TrialResult.Failed, 1, 2), (outcome.Result, executor.Attempts, concurrency.Limit));
        Assert.Equal((TrialStates.Failed, 6), (row.State, row.ExitCode));
        Assert.Equal("out of memory (exit 6) running alone: out of memory: DefaultCPUAllocator: can't allocate memory: you tried to allocate 3221225472 bytes.", row.Failure);
    }

    [Fact]
    public async Task A_runner_that_exits_0_without_completing_the_trial_fails_it()
    {
        var (outcome, row, _) = await SuperviseAsync(new ScriptedExecutor(_db, r => r.Exit(RunnerExitCode.Done)));
        Assert.Equal((TrialResult.Failed, TrialStates.Failed, "the Runner exited 0 without completing the trial"), (outcome.Result, row.State, row.Failure));
    }

    [Fact]
    public async Task Out_of_memory_beside_other_trials_on_its_gpu_lowers_that_gpu_only_and_sends_the_trial_back_to_pending()
    {
        var pool = new GpuPool(["0", "1"], trialsPerGpu: 3);
        var slots = Enumerable.Range(0, 4).Select(_ => pool.TryTake()!).ToList();
        var (neighbour, mine) = (slots[1], slots[3]); // both on GPU 1
        using var running = neighbour.Start();
        var concurrency = new Concurrency(4);
        GpuSlot? launchedOn = null;
        var executor = new ScriptedExecutor(_db, r =>
        {
            Assert.Equal("1", r.Launch.Gpu); // the Runner's CUDA_VISIBLE_DEVICES
            launchedOn = mine;
            return r.Fails(FailureKind.OutOfMemory, "out of memory: CUDA out of memory. Tried to allocate 2.00 GiB");
        });
        var (outcome, row, attempts) = await SuperviseAsync(executor, concurrency: concurrency, gpu: mine);

        Assert.Same(mine, launchedOn);
        Assert.Equal((TrialResult.Requeued, TrialStates.Pending), (outcome.Result, row.State));
        Assert.Equal((3, 1, 4), (pool.Capacity("0"), pool.Capacity("1"), concurrency.Limit));
        Assert.Equal("out of memory (exit 6) while 2 trials shared GPU 1: out of memory: CUDA out of memory. Tried to allocate 2.00 GiB", row.Failure);
        Assert.Equal(["requeued"], attempts.Select(a => a.Outcome));
        Assert.Contains(_observer.Lines, l => l.EndsWith(" warning: out of memory on GPU 1 beside 1 other trial(s): back to pending; from now on GPU 1 takes at most 1 trial(s) at once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Out_of_memory_alone_on_its_gpu_fails_the_trial_even_when_other_gpus_are_busy()
    {
        var pool = new GpuPool(["0", "1"], trialsPerGpu: 0);
        var busy = pool.TryTake()!;
        using var running = busy.Start(); // a trial on GPU 0
        var mine = pool.TryTake()!;
        var concurrency = new Concurrency(2);
        using var other = concurrency.Start();
        var executor = new ScriptedExecutor(_db, r => r.Fails(FailureKind.OutOfMemory, "out of memory: CUDA out of memory. Tried to allocate 90.00 GiB"));
        var (outcome, row, _) = await SuperviseAsync(executor, concurrency: concurrency, gpu: mine);

        Assert.Equal((TrialResult.Failed, TrialStates.Failed), (outcome.Result, row.State));
        Assert.Equal("out of memory (exit 6) running alone on GPU 1: out of memory: CUDA out of memory. Tried to allocate 90.00 GiB", row.Failure);
        Assert.Equal((2, int.MaxValue), (concurrency.Limit, pool.Capacity("1")));
    }

    [Fact]
    public async Task A_final_exit_the_runner_did_not_record_fails_the_trial_without_retrying()
    {
        var executor = new ScriptedExecutor(_db, r => r.Exit(RunnerExitCode.Diverged, "runner: error: diverged at step 7"));
        var (outcome, row, _) = await SuperviseAsync(executor);
        Assert.Equal((TrialResult.Failed, 1, "diverged (exit 3): runner: error: diverged at step 7"), (outcome.Result, executor.Attempts, row.Failure));
    }

    [Fact]
    public async Task A_runner_stopped_by_the_user_without_recording_it_leaves_the_trial_pending()
    {
        using var graceful = new CancellationTokenSource();
        var executor = new ScriptedExecutor(_db, r =>
        {
            graceful.Cancel(); // Ctrl+C while the attempt ran; the Runner died before it could release the trial
            return new TrialExit(137, [], StopRequested: true);
        });
        var (outcome, row, attempts) = await SuperviseAsync(executor, stop: new StopSignals(graceful.Token, CancellationToken.None));

        Assert.Equal((TrialResult.Interrupted, 1), (outcome.Result, executor.Attempts));
        Assert.Equal((TrialStates.Pending, "stopped: killed by signal 9 (exit 137)"), (row.State, row.Failure));
        Assert.Equal(["interrupted"], attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_trial_its_runner_released_after_a_stop_is_interrupted()
    {
        using var graceful = new CancellationTokenSource();
        var executor = new ScriptedExecutor(_db, r =>
        {
            graceful.Cancel();
            Assert.True(r.Trials.Release(r.TrialId, r.Launch.Owner, RunnerExitCode.Interrupted, "interrupted at step 5"));
            return new TrialExit(RunnerExitCode.Interrupted, [], StopRequested: true);
        });
        var (outcome, row, _) = await SuperviseAsync(executor, stop: new StopSignals(graceful.Token, CancellationToken.None));
        Assert.Equal((TrialResult.Interrupted, "interrupted at step 5", TrialStates.Pending), (outcome.Result, outcome.Reason, row.State));
    }

    [Fact]
    public async Task A_stop_during_the_retry_backoff_puts_the_trial_back_to_pending()
    {
        using var graceful = new CancellationTokenSource();
        var executor = new ScriptedExecutor(_db, r =>
        {
            graceful.CancelAfter(TimeSpan.FromMilliseconds(100)); // the user presses Ctrl+C while the retry waits its 10 minutes
            return r.Fails(FailureKind.Crashed, "IOException: disk full");
        });
        var (outcome, row, attempts) = await SuperviseAsync(executor, Options(retryDelaySeconds: 600), stop: new StopSignals(graceful.Token, CancellationToken.None));

        Assert.Equal((TrialResult.Interrupted, 1), (outcome.Result, executor.Attempts));
        Assert.Equal((TrialStates.Pending, "stopped during retry backoff, after crashed (exit 1): IOException: disk full"), (row.State, row.Failure));
        Assert.Equal(["retry", "interrupted"], attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_trial_another_owner_took_over_is_left_to_them()
    {
        var executor = new ScriptedExecutor(_db, r =>
        {
            Assert.True(r.Trials.Release(r.TrialId, r.Launch.Owner, null, "lease expired meanwhile"));
            Assert.NotNull(r.Trials.ClaimTrial(r.TrialId, "other-orchestrator", TimeSpan.FromMinutes(1)));
            return r.Exit(RunnerExitCode.LeaseLost);
        });
        var (outcome, row, _) = await SuperviseAsync(executor);
        Assert.Equal((TrialResult.LeaseLost, "now held by other-orchestrator"), (outcome.Result, outcome.Reason));
        Assert.Equal((TrialStates.Running, "other-orchestrator"), (row.State, row.Owner));
    }

    [Fact]
    public async Task The_runners_warnings_reach_the_user_as_warnings()
    {
        var executor = new ScriptedExecutor(_db, r =>
        {
            r.Emit(new WarningEvent("skipping checkpoint step_40 of trial x: its file is missing"));
            return r.Completes();
        });
        var (outcome, _, _) = await SuperviseAsync(executor);

        Assert.Equal(TrialResult.Completed, outcome.Result);
        Assert.Contains(_observer.Lines, l => l.EndsWith("warning: skipping checkpoint step_40 of trial x: its file is missing", StringComparison.Ordinal));
        Assert.DoesNotContain(_observer.Events, e => e.Event is WarningEvent);
    }

    [Fact]
    public async Task After_out_of_memory_the_scheduler_runs_fewer_trials_at_once_and_the_requeued_trial_completes_alone()
    {
        var ids = new SweepRepository(_db).Members("s").Select(m => m.TrialId).ToList();
        var running = 0;
        var mostAfterRequeue = 0;
        var requeued = false;
        var secondStarted = new TaskCompletionSource();
        var executor = new ScriptedExecutor(_db, async r =>
        {
            var now = Interlocked.Increment(ref running);
            if (Volatile.Read(ref requeued)) InterlockedMax(ref mostAfterRequeue, now);
            try
            {
                if (r.TrialId == ids[0] && r.Attempt == 1)
                {
                    await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(30)); // runs out of memory while the second trial runs beside it
                    Volatile.Write(ref requeued, true);
                    return r.Fails(FailureKind.OutOfMemory, "out of memory: CUDA out of memory. Tried to allocate 2.00 GiB");
                }
                if (r.TrialId == ids[1])
                {
                    secondStarted.TrySetResult();
                    // Fails rather than hangs if the first trial never goes back to pending.
                    var patience = Stopwatch.StartNew();
                    while (_trials.Get(ids[0])!.State != TrialStates.Pending)
                    {
                        Assert.True(patience.Elapsed < TimeSpan.FromSeconds(30), $"trial {ids[0]} is {_trials.Get(ids[0])!.State}, never pending again after running out of memory");
                        await Task.Delay(10);
                    }
                }
                return r.Completes();
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        });

        var outcome = await new Scheduler(_db, executor, Options(parallel: 2), _observer, Owner).RunAsync("s", StopSignals.None);

        Assert.Equal((3, 0), (outcome.Completed, outcome.Failed));
        Assert.Equal(["requeued", "completed"], _trials.Attempts(ids[0]).Select(a => a.Outcome));
        Assert.Equal(1, mostAfterRequeue);
        Assert.Contains(TrialResult.Requeued, outcome.Handled.Select(h => h.Result));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
