using System.Globalization;
using System.Text.RegularExpressions;
using Core.Contract;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A Runner that always crashes (ORCHESTRATOR_RUNNER pointing at a script that exits 1): each
/// trial is retried `retries` times with growing delays, then failed with its exit code, its last
/// stderr line as the reason (it reported no failure event) and its stderr tail in the store, and
/// the sweep carries on to the next trial.
/// </summary>
public sealed partial class RetryTests
{
    [Fact]
    public void A_runner_that_always_crashes_is_retried_with_growing_delays_then_failed_with_its_reason()
    {
        using var dir = new TempDir();
        var log = dir.File("starts.log");
        var script = dir.Write("crashing-runner.sh", $"""
            #!/usr/bin/env bash
            # Logs when and for which trial it was started, says why it fails, and crashes.
            trial=""; while [ $# -gt 0 ]; do [ "$1" = "--trial" ] && trial="$2"; shift; done
            echo "$(date +%s.%N) $trial" >> {log}
            echo "loading model for $trial" >&2
            echo "boom: simulated crash in $trial" >&2
            exit 1
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = TinySweep.Write(dir, "crashy", ["model.hidden: [16, 24]"], parallel: 1, retries: 2);

        var r = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = script },
            "run", spec, "--retry-delay", "0.4");

        Assert.True(r.ExitCode == 1, r.ToString()); // some trials failed
        var db = Database.OpenReadOnly(dir.File("results/orchestrator.db"));
        var trials = new TrialRepository(db).ListForSweep("crashy");
        Assert.Equal(2, trials.Count);
        foreach (var t in trials)
        {
            // Failed after 1 + retries attempts, keeping exit code and stderr.
            Assert.Equal(TrialStates.Failed, t.State);
            Assert.Equal(3, t.Attempt);
            Assert.Equal(1, t.ExitCode);
            Assert.StartsWith($"crashed (exit 1) on attempt 3 of 3: boom: simulated crash in {t.TrialId}", t.Failure);
            Assert.DoesNotContain("loading model", t.Failure); // the reason is the error; the rest of stderr has its own column
            Assert.Equal($"loading model for {t.TrialId}\nboom: simulated crash in {t.TrialId}", t.StderrTail);
            Assert.Equal(FailureKind.Crashed, t.FailureKind);
            var attempts = new TrialRepository(db).Attempts(t.TrialId);
            Assert.Equal(["retry", "retry", "failed"], attempts.Select(a => a.Outcome));
            Assert.All(attempts, a => Assert.Equal(1, a.ExitCode));

            // The announced delays grow, and the Runner really was started no sooner than announced.
            var delays = Regex.Matches(r.StdOut, $@"{t.TrialId} .*retry (\d) of 2 in ([0-9.]+) s")
                .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, delays.Count);
            Assert.True(delays[1] > delays[0], $"delays should grow: {string.Join(", ", delays)}");
            var starts = File.ReadAllLines(log).Where(l => l.EndsWith(t.TrialId, StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(3, starts.Count);
            Assert.True(starts[1] - starts[0] >= delays[0] - 0.01, $"retry 1 started {starts[1] - starts[0]:0.00} s after the crash, announced {delays[0]}");
            Assert.True(starts[2] - starts[1] >= delays[1] - 0.01, $"retry 2 started {starts[2] - starts[1]:0.00} s after the crash, announced {delays[1]}");
        }
        // The sweep went on to the second trial after the first failed for good.
        Assert.Equal(6, File.ReadAllLines(log).Length);
    }

    [Fact]
    public void The_lease_is_kept_alive_during_retry_backoff_so_no_one_else_can_claim_the_trial()
    {
        using var dir = new TempDir();
        var script = dir.Write("crashing-runner.sh", "#!/usr/bin/env bash\necho 'boom' >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A 1 s lease and a first retry about 4 s later: without heartbeats in the backoff the lease would lapse.
        var spec = TinySweep.Write(dir, "backoff", ["model.hidden: [16]"], retries: 1, leaseSeconds: 1);
        var db = dir.File("results/orchestrator.db");

        using var run = OrchestratorCli.Start(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = script }, "run", spec, "--retry-delay", "4");
        run.WaitUntil(() => run.StdOut.Contains("retry 1 of 1 in"), TimeSpan.FromMinutes(1), "the first retry");
        Thread.Sleep(TimeSpan.FromSeconds(2)); // twice the lease, well inside the backoff

        var trials = new TrialRepository(Database.Open(db));
        var trial = trials.ListForSweep("backoff").Single();
        Assert.Equal(TrialStates.Running, trial.State);
        Assert.True(trial.LeaseUntil > StoreProbe.UnixNow(), "the lease lapsed during the backoff");
        Assert.Null(trials.ClaimTrial(trial.TrialId, "intruder", TimeSpan.FromSeconds(30)));
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(1)) == 1, run.Output);
    }

    [Fact]
    public void The_runner_is_started_per_the_process_contract()
    {
        using var dir = new TempDir();
        var log = dir.File("runner-args.log");
        var script = dir.Write("recording-runner.sh", $"""
            #!/usr/bin/env bash
            printf '%s\n' "$@" > {log}
            echo "OMP_NUM_THREADS=$OMP_NUM_THREADS OMP_WAIT_POLICY=$OMP_WAIT_POLICY" >> {log}
            exit 1
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = TinySweep.Write(dir, "contract", ["model.hidden: [16]"], retries: 0, leaseSeconds: 7.5);

        var r = OrchestratorCli.Run(dir.Path, new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = script }, "run", spec);

        Assert.True(r.ExitCode == 1, r.ToString());
        var trial = new StoreProbe(dir.File("results/orchestrator.db")).Trials("contract").Single();
        var owner = new StoreProbe(dir.File("results/orchestrator.db")).Attempts(trial.TrialId).Single().Owner;
        Assert.Equal(
            ["train", "--db", dir.File("results/orchestrator.db"), "--trial", trial.TrialId, "--owner", owner!,
             "--lease-seconds", "7.5", "--threads", "1", "--device", "cpu", "OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE"],
            File.ReadAllLines(log));
    }

    [Fact]
    public void Status_shows_the_failure_reason()
    {
        using var dir = new TempDir();
        var script = dir.Write("crashing-runner.sh", "#!/usr/bin/env bash\necho 'CUDA out of memory (simulated)' >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = TinySweep.Write(dir, "oom", ["model.hidden: [16]"], retries: 0);
        var env = new Dictionary<string, string> { ["ORCHESTRATOR_RUNNER"] = script };

        Assert.Equal(1, OrchestratorCli.Run(dir.Path, env, "run", spec).ExitCode);
        var status = OrchestratorCli.Run(dir.Path, "status", "oom");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("0 completed, 0 running, 0 pending, 1 failed (of 1)", status.StdOut);
        Assert.Matches(@"[0-9a-f]{12}\s+hidden=16\s+failed\s+1\s+0/2\s+0\s+-\s+-\s+crashed \(exit 1\) on attempt 1 of 1: CUDA out of memory \(simulated\)", status.StdOut);
    }
}
