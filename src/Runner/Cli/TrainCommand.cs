using System.Runtime.InteropServices;
using Core;
using Core.Config;
using Core.Data;
using Core.Spec;
using Core.Store;
using Runner.Model;
using Runner.Training;
using TorchSharp;

namespace Runner.Cli;

/// <summary>
/// <c>runner train --db DB (--trial ID | --config TRIAL.yaml) [--owner TOKEN] [--lease-seconds S]
/// [--threads N] [--device auto|cpu|cuda] [--flush-seconds S]</c>: trains one trial and marks its
/// outcome in the store (the process contract of the brief: Complete 0, Fail 2/3, Release 4,
/// lease lost 5, anything else leaves the trial running for the orchestrator to decide).
/// </summary>
public static class TrainCommand
{
    public const string Usage = """
        runner train --db DB --trial ID [--owner TOKEN] [--lease-seconds S] [--threads N] [--device auto|cpu|cuda] [--flush-seconds S]
        runner train --db DB --config TRIAL.yaml [same options]
        """;

    private static readonly string[] Options = ["db", "trial", "config", "owner", "lease-seconds", "threads", "device", "flush-seconds"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var observer = new ConsoleObserver();
        var a = Arguments.Parse(args, Options);
        var dbPath = a.Require("db");
        if (a.Get("trial") is not null == a.Get("config") is not null)
            throw new UsageException("give either --trial ID (a trial already in the database) or --config TRIAL.yaml (creates the trial)");
        var lease = TimeSpan.FromSeconds(a.Double("lease-seconds", min: 1) ?? 60);
        var flush = TimeSpan.FromSeconds(a.Double("flush-seconds", min: 0) ?? 5);
        var threads = a.Int("threads", min: 1);
        var device = DeviceChoice.Resolve(a.Get("device") ?? "auto");
        if (threads is { } n) torch.set_num_threads(n);

        var db = Database.Open(dbPath);
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

        var owner = a.Get("owner");
        if (owner is not null)
        {
            var row = trials.Get(trialId)!;
            if (row.State != TrialStates.Running || row.Owner != owner || !trials.Heartbeat(trialId, owner, lease))
            {
                observer.Log($"trial {trialId} is {row.State}{(row.Owner is null ? "" : $" under owner {row.Owner}")}, not running under owner {owner}; not starting");
                return ExitCodes.LeaseLost;
            }
        }
        else
        {
            owner = $"runner:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..12]}";
            if (trials.ClaimTrial(trialId, owner, lease) is null) return NotClaimable(trials.Get(trialId)!, observer);
        }

        var trial = trials.Get(trialId)!;
        using var heartbeat = TrialLease.Start(trials, trialId, owner, lease, observer.Log);
        using var stop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; RequestStop(stop, observer, "SIGTERM"); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; RequestStop(stop, observer, "SIGINT"); });
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
                    return ExitCodes.Done;
                case TrainOutcome.Interrupted:
                    trials.Release(trialId, owner, ExitCodes.Interrupted, $"interrupted at step {result.Step}");
                    observer.Log($"trial {trialId} stopped at step {result.Step} and is pending again; run it again to resume");
                    return ExitCodes.Interrupted;
                default:
                    observer.Log($"trial {trialId}: the lease was lost; another owner runs it now");
                    return ExitCodes.LeaseLost;
            }
        }
        catch (BadInputException e)
        {
            heartbeat.Stop();
            trials.Fail(trialId, owner, ExitCodes.BadInput, e.Message);
            observer.Log($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (DivergedException e)
        {
            heartbeat.Stop();
            trials.Fail(trialId, owner, ExitCodes.Diverged, e.Message);
            observer.Log($"error: trial {trialId} {e.Message} (loss {e.Loss}); lower train.lr or set train.clip_norm");
            return ExitCodes.Diverged;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            heartbeat.Stop();
            trials.Release(trialId, owner, ExitCodes.Interrupted, "interrupted before training started");
            return ExitCodes.Interrupted;
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
                return ExitCodes.Done;
            case TrialStates.Failed:
                observer.Log($"error: trial {row.TrialId} failed earlier: {row.Failure}");
                return ExitCodes.BadInput;
            default:
                var seconds = (row.LeaseUntil ?? 0) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                observer.Log($"trial {row.TrialId} is running under owner {row.Owner}; its lease runs {Math.Max(0, seconds):0} s more " +
                             "(if that process died, run again after the lease expires)");
                return ExitCodes.LeaseLost;
        }
    }
}
