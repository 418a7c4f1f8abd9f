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
/// <c>runner train</c> (<see cref="TrainCommandLine"/>): trains one trial and marks its outcome in
/// the store, per the process contract (docs/contract.md): complete 0, fail 2/3 (and 6 standalone),
/// release 4, stop early 7; lease lost 5 and a crash mark nothing, leaving the trial to its owner.
/// </summary>
internal static class TrainCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, ConsoleObserver observer)
    {
        var line = TrainCommandLine.Parse(args);
        var store = RunnerStore.Resolve(line.Store);
        if (line.Trial is not null == line.Config is not null)
            throw new UsageException("give either --trial ID (a trial already in the database) or --config TRIAL.yaml (creates the trial)");
        var lease = line.Lease;
        var device = DeviceChoice.Resolve(line.Device);
        if (line.Threads is { } n) torch.set_num_threads(n);

        // The orchestrator reached this database: a Runner started while it blinks waits for it (within the window).
        var db = Database.Open(store, RunnerStore.Results(line.Store), OutagePolicy.For(line.DbOutage));
        db.OnOutage = observer.Warn;
        var trials = new TrialRepository(db);
        string trialId;
        if (line.Config is { } configPath)
        {
            var config = SpecLoader.LoadTrial(configPath);
            trialId = config.Id();
            if (trials.Ensure(trialId, config.ToCanonicalJson())) observer.Log($"created trial {trialId} from {configPath}");
        }
        else
        {
            trialId = line.Trial!;
            if (trials.Get(trialId) is null) throw new UsageException($"no trial '{trialId}' in {db.Path}");
        }

        // With --owner an orchestrator claimed the trial; without, this Runner claims it for itself.
        var standalone = line.Standalone;
        var owner = line.Owner ?? OwnerToken.New();
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
            var run = new TrialRun(db, new CorpusStep(http), observer, line.Flush);
            var earlyStopping = line.EarlyStopping is { } rule ? new EarlyStopping(db, line.Sweep!, rule) : null;
            var result = await run.ExecuteAsync(trialId, config, device, stop.Token, heartbeat.Lost, owner, earlyStopping);
            heartbeat.Stop();
            switch (result.Outcome)
            {
                case TrainOutcome.Completed when trials.Complete(trialId, owner):
                    observer.OnEvent(new DoneEvent());
                    observer.Log($"trial {trialId} completed at step {result.Step}");
                    return RunnerExitCode.Done;
                case TrainOutcome.Stopped when trials.Stop(trialId, owner, result.Stop!):
                    observer.Log($"trial {trialId} {result.Stop!.Describe()}; its curves and checkpoints stay (`run --no-early-stopping` trains it to its full budget)");
                    return RunnerExitCode.Stopped;
                case TrainOutcome.Interrupted:
                    trials.Release(trialId, owner, RunnerExitCode.Interrupted, $"interrupted at step {result.Step}");
                    observer.Log($"trial {trialId} stopped at step {result.Step} and is pending again; run it again to resume");
                    return RunnerExitCode.Interrupted;
                default:
                    observer.Log($"trial {trialId}: the lease was lost; another owner runs it now");
                    return RunnerExitCode.LeaseLost;
            }
        }
        catch (OutageInterruptedException e)
        {
            // Past the window: the checkpoint of the step reached is on disk; whoever reaches the database next records it and releases the trial.
            heartbeat.Stop();
            new OutageInterruption(trialId, owner, trial.Attempt, OutageReason(e.Outage, e.Checkpoint.Name), e.Checkpoint.Epoch, e.Checkpoint.Step,
                e.Checkpoint, e.Probe, e.Metrics).Write(db);
            observer.Log($"{e.Message}; trial {trialId} saved {e.Checkpoint.Name} (step {e.Checkpoint.Step}) to disk and stops here: "
                         + "once the database answers, run the same command again; it records that checkpoint, puts the trial back to pending at once and resumes it from there");
            return RunnerExitCode.Interrupted;
        }
        catch (DatabaseOutageException e)
        {
            // Past the window before a checkpoint could be saved: the trial resumes from its last recorded checkpoint, released at once by whoever reaches the database next.
            heartbeat.Stop();
            new OutageInterruption(trialId, owner, trial.Attempt, OutageReason(e, null), trial.Epoch, trial.Step, null, null, []).Write(db);
            observer.Log($"{e.Message}; trial {trialId} stops here: once the database answers, run the same command again; "
                         + "it puts the trial back to pending at once and resumes it from its last recorded checkpoint");
            return RunnerExitCode.Interrupted;
        }
        catch (DiskFullException e)
        {
            // On a full disk nothing can be recorded: the trial resumes from its last recorded checkpoint when run again.
            heartbeat.Stop();
            observer.Log($"{e.Message}; trial {trialId} stops here and resumes from its last recorded checkpoint when the sweep runs again");
            return RunnerExitCode.Interrupted;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            heartbeat.Stop();
            trials.Release(trialId, owner, RunnerExitCode.Interrupted, "interrupted before training started");
            return RunnerExitCode.Interrupted;
        }
        catch (Exception e)
        {
            // The failures the Runner records itself are recorded here; Program reports every failure (event, stderr, exit code).
            heartbeat.Stop();
            var failure = RunnerFailure.Of(e);
            if (TrainCommandLine.RunnerRecordsFailure(failure.Kind, standalone))
                trials.Fail(trialId, owner, new AttemptEnd(RunnerExitCode.For(failure.Kind), failure.Message, failure.Kind));
            if (e is DivergedException d) observer.Log($"trial {trialId} {d.Message} (loss {d.Loss}); lower train.lr or set train.clip_norm");
            throw;
        }
    }

    /// <summary>The interrupted attempt's reason, as recorded once the database answers again.</summary>
    private static string OutageReason(DatabaseOutageException e, string? saved) =>
        $"interrupted by a database outage: {e.Message}" + (saved is null ? "" : $"; {saved} was saved during it");

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
            case TrialStates.Stopped:
                observer.Log($"trial {row.TrialId} was {row.Stop?.Describe() ?? "stopped early"}; nothing to do");
                return RunnerExitCode.Stopped;
            default:
                var seconds = (row.LeaseUntil ?? 0) - Timestamps.UnixNow();
                observer.Log($"trial {row.TrialId} is running under owner {row.Owner}; its lease runs {Math.Max(0, seconds):0} s more " +
                             "(its owner or its Runner still runs on this host, or they ran on another host: if those died, run again after the lease expires)");
                return RunnerExitCode.LeaseLost;
        }
    }
}
