using System.Runtime.InteropServices;
using Core.Contract;
using Core.Config;
using Core.Data;
using Core.Spec;
using Core.Store;
using Runner.Model;
using Runner.Runtime;
using Runner.Training;
using TorchSharp;

namespace Runner.Cli;

/// <summary>
/// <c>runner train [--db DB] [--results DIR] (--trial ID | --config TRIAL.yaml) [--owner TOKEN] [--lease-seconds S]
/// [--threads N] [--device auto|cpu|cuda] [--flush-seconds S]</c>: trains one trial and marks its
/// outcome in the store, per the process contract (docs/contract.md): complete 0, fail 2/3 (and 6
/// standalone), release 4; lease lost 5 and a crash mark nothing, leaving the trial to its owner.
/// </summary>
public static class TrainCommand
{
    public const string Usage = """
        runner train --db DB [--results DIR] --trial ID [--owner TOKEN] [--lease-seconds S] [--threads N] [--device auto|cpu|cuda] [--flush-seconds S]
        runner train --db DB [--results DIR] --config TRIAL.yaml [same options]
          DB: a SQLite file or a postgresql:// URL (default: $ORCHESTRATOR_DB or $ORCHESTRATOR_DB_FILE, as for the orchestrator);
          DIR: where checkpoints go with PostgreSQL (default: results/)
        """;

    private static readonly string[] Options = ["db", "results", "trial", "config", "owner", "lease-seconds", "threads", "device", "flush-seconds"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, ConsoleObserver observer)
    {
        var a = Arguments.Parse(args, Options);
        var store = RunnerStore.Resolve(a);
        if (a.Get("trial") is not null == a.Get("config") is not null)
            throw new UsageException("give either --trial ID (a trial already in the database) or --config TRIAL.yaml (creates the trial)");
        var lease = TimeSpan.FromSeconds(a.Double("lease-seconds", min: 1) ?? new ExecutionConfig().LeaseSeconds);
        var flush = TimeSpan.FromSeconds(a.Double("flush-seconds", min: 0) ?? 5);
        var threads = a.Int("threads", min: 1);
        var device = DeviceChoice.Resolve(a.Get("device") ?? "auto");
        if (threads is { } n) torch.set_num_threads(n);

        var db = Database.Open(store, RunnerStore.Results(a));
        var trials = new TrialRepository(db);
        string trialId;
        if (a.Get("config") is { } configPath)
        {
            var config = SpecLoader.LoadTrial(configPath);
            trialId = config.Id();
            if (trials.Ensure(trialId, config.ToCanonicalJson())) observer.Log($"created trial {trialId} from {configPath}");
        }
        else
        {
            trialId = a.Require("trial");
            if (trials.Get(trialId) is null) throw new UsageException($"no trial '{trialId}' in {db.Path}");
        }

        // With --owner an orchestrator claimed the trial; without, this Runner claims it for itself.
        var standalone = a.Get("owner") is null;
        var owner = a.Get("owner") ?? OwnerToken.New();
        if (standalone && trials.ClaimTrial(trialId, owner, lease) is null) return NotClaimable(trials.Get(trialId)!, observer);
        // Records this process with the trial (the local dead-owner check looks at it) if, and only if, the owner still holds it.
        if (!trials.AttachRunner(trialId, owner, ProcessIdentity.Current, lease))
        {
            var row = trials.Get(trialId)!;
            observer.Log($"trial {trialId} is {row.State}{(row.Owner is null ? "" : $" under owner {row.Owner}")}, not running under owner {owner}; not starting");
            return RunnerExitCode.LeaseLost;
        }

        var trial = trials.Get(trialId)!;
        // Where this attempt runs, as this process found it: device, GPU, libtorch, CUDA_VISIBLE_DEVICES.
        trials.RecordRuntime(trialId, owner, RuntimeProbe.ForTrial(device));
        using var heartbeat = new LeaseHeartbeat(trials, trialId, owner, lease, observer.Warn);
        using var stop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; RequestStop(stop, observer, "SIGTERM"); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; RequestStop(stop, observer, "SIGINT"); });
        // Run for an owner: when it dies (its pipe to our stdin closes), stop as on SIGTERM, so that the next run resumes the trial at once.
        using var ownerGone = standalone ? null : OwnerWatch.Start(() => RequestStop(stop, observer, "the owner is gone (its pipe to this Runner's stdin closed)"));
        try
        {
            TrialConfig config;
            try { config = trial.Config; }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
            {
                throw new BadInputException($"the stored config of trial {trialId} cannot be read: {e.Message}");
            }

            using var http = new HttpClient();
            var run = new TrialRun(db, new CorpusStep(http), observer, flush);
            var result = await run.ExecuteAsync(trialId, config, device, stop.Token, heartbeat.Lost);
            heartbeat.Stop();
            switch (result.Outcome)
            {
                case TrainOutcome.Completed when trials.Complete(trialId, owner):
                    observer.OnEvent(new DoneEvent());
                    observer.Log($"trial {trialId} completed at step {result.Step}");
                    return RunnerExitCode.Done;
                case TrainOutcome.Interrupted:
                    trials.Release(trialId, owner, RunnerExitCode.Interrupted, $"interrupted at step {result.Step}");
                    observer.Log($"trial {trialId} stopped at step {result.Step} and is pending again; run it again to resume");
                    return RunnerExitCode.Interrupted;
                default:
                    observer.Log($"trial {trialId}: the lease was lost; another owner runs it now");
                    return RunnerExitCode.LeaseLost;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            heartbeat.Stop();
            trials.Release(trialId, owner, RunnerExitCode.Interrupted, "interrupted before training started");
            return RunnerExitCode.Interrupted;
        }
        catch (Exception e)
        {
            // Final failures are recorded here; Program reports every failure (event, stderr, exit code).
            // A crash is left running for its owner to retry; so is running out of memory when an
            // orchestrator owns the trial, since only it knows how many trials share the machine.
            heartbeat.Stop();
            var failure = RunnerFailure.Of(e);
            if (failure.Kind is FailureKind.BadInput or FailureKind.Diverged || (failure.Kind == FailureKind.OutOfMemory && standalone))
                trials.Fail(trialId, owner, new AttemptEnd(RunnerExitCode.For(failure.Kind), failure.Message, failure.Kind));
            if (e is DivergedException d) observer.Log($"trial {trialId} {d.Message} (loss {d.Loss}); lower train.lr or set train.clip_norm");
            throw;
        }
    }

    private static void RequestStop(CancellationTokenSource stop, ConsoleObserver observer, string signal)
    {
        if (stop.IsCancellationRequested) return;
        observer.Log($"{signal}: finishing the current step, then writing a checkpoint");
        stop.Cancel();
    }

    private static int NotClaimable(TrialRow row, ConsoleObserver observer)
    {
        switch (row.State)
        {
            case TrialStates.Completed:
                observer.Log($"trial {row.TrialId} is already completed (step {row.Step}); nothing to do");
                return RunnerExitCode.Done;
            case TrialStates.Failed:
                observer.Log($"error: trial {row.TrialId} failed earlier: {row.Failure}");
                return RunnerExitCode.BadInput;
            default:
                var seconds = (row.LeaseUntil ?? 0) - Timestamps.UnixNow();
                observer.Log($"trial {row.TrialId} is running under owner {row.Owner}; its lease runs {Math.Max(0, seconds):0} s more " +
                             "(its owner or its Runner still runs on this host, or they ran on another host: if those died, run again after the lease expires)");
                return RunnerExitCode.LeaseLost;
        }
    }
}
