using System.Text.Json;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Sweeps through the real local Slurm cluster with the real Runner: `run` submits the workers as a
/// job array and follows them; each array task is a worker that pulls trials. Several array tasks
/// on the one node stand in for several nodes (docs/cluster.md says why). Each test runs on SQLite
/// and on PostgreSQL (a database of its own; the workers get its URL without a password).
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "Slurm")]
public sealed class SlurmSweepTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void A_sweep_through_slurm_completes_every_trial_once_and_records_each_attempts_array_task(Backend backend)
    {
        using var sweep = new SlurmSweep("quick", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"], parallel: 2, backend: backend);

        var r = sweep.Cli("run", sweep.Spec);

        Assert.True(r.ExitCode == 0, r.ToString());
        var job = Assert.Single(sweep.Jobs);
        Assert.Equal("0-3%2", job.Array); // one worker per trial, two at once
        Assert.Contains($"submitted job {job.JobId}: --array=0-3%2 (4 worker(s), at most 2 at once)", r.StdOut);
        Assert.Matches($@"job {job.JobId}_\d: RUNNING on ", r.StdOut);
        Assert.Contains("sweep " + sweep.Name + ": 4 completed, 0 failed, 0 pending, 0 running (of 4)", r.StdOut);

        var trials = sweep.Store.Trials(sweep.Name);
        Assert.All(trials, t => Assert.Equal(TrialStates.Completed, t.State));
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
        var tasks = new HashSet<string>();
        foreach (var t in trials)
        {
            var attempt = Assert.Single(sweep.Attempts(t.TrialId));
            Assert.Equal("completed", attempt.Outcome);
            Assert.Matches($@"^{job.JobId}_[0-3]$", attempt.SlurmJob);
            tasks.Add(attempt.SlurmJob!);
            // The worker's log (the task's --output) shows the trial it ran, as a local run's progress does.
            Assert.Contains($"{t.TrialId} ", sweep.Log(attempt.SlurmJob!));
        }
        Assert.True(tasks.Count >= 2, $"two workers ran at once, yet every trial ran in {string.Join(", ", tasks)}");
        // The job script: logs in results/slurm/NAME on both engines; the workers get the store as the Runners do
        // (PostgreSQL: the URL, without a password, and the results folder, where the checkpoints went).
        var script = File.ReadAllText(Path.Combine(sweep.SlurmFolder, "worker.sbatch"));
        Assert.Contains($"--output={sweep.SlurmFolder}/%A_%a.out", script);
        var storeArguments = backend == Backend.Sqlite ? $"--db {sweep.Db.Db}" : $"--db {sweep.Db.Db} --results {sweep.Db.Results}";
        Assert.Contains($" worker {storeArguments} --sweep {sweep.Name}\n", script);
        Assert.All(trials, t => Assert.NotEmpty(Directory.GetFiles(Path.Combine(sweep.Db.Results, "checkpoints", t.TrialId))));

        // status shows each trial's array task beside its state, and the job's tasks by state.
        var status = sweep.Cli("status", sweep.Name);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("slurm job", status.StdOut);
        Assert.Matches($@"completed\s+{job.JobId}_\d COMPLETED", status.StdOut);
        Assert.Matches($@"slurm job {job.JobId} \(--array=0-3%2, submitted [^)]+\): .*\d+ COMPLETED", status.StdOut);
        var json = JsonDocument.Parse(sweep.Cli("status", sweep.Name, "--json").StdOut).RootElement.GetProperty("sweeps")[0];
        Assert.Equal(job.JobId, json.GetProperty("slurm_jobs")[0].GetProperty("job_id").GetString());
        Assert.All(json.GetProperty("trials").EnumerateArray(), t => Assert.StartsWith(job.JobId + "_", t.GetProperty("slurm_job").GetString()));

        // Running it again submits nothing: every trial is completed.
        var again = sweep.Cli("run", sweep.Spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing to run", again.StdOut);
        Assert.Single(sweep.Jobs);
    }

    [Fact]
    public void The_quick_study_runs_through_slurm_on_postgresql_every_trial_completed_once_and_reported()
    {
        // experiments/quick.yaml as shipped (18 trials on the real corpus), with only its name made
        // unique, its corpus path made absolute, and the partition to submit to; the executor is
        // chosen on the command line, as a user switching an existing study to the cluster would.
        var corpus = RepoPaths.Shakespeare ?? throw new Xunit.Sdk.XunitException(
            "the real corpus is absent: put tinyshakespeare.txt under data/ (see README, \"The corpus\"); .ci/run copies it");
        using var db = TestStore.Create(Backend.Postgres, "slurm-quick");
        SlurmCluster.RequireRunning();
        var name = $"quick-{Guid.NewGuid():N}"[..12];
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "experiments", "quick.yaml"))
            .Replace("name: quick\n", $"name: {name}\n", StringComparison.Ordinal)
            .Replace("path: data/tinyshakespeare.txt", $"path: {corpus}", StringComparison.Ordinal)
            + string.Join('\n', SlurmCluster.Execution().Where(l => l != "executor: slurm").Select(l => "  " + l)) + "\n";
        var spec = db.Dir.Write("quick.yaml", yaml);
        var store = new StoreProbe(db);
        try
        {
            var r = OrchestratorCli.Run(db.Dir.Path, ["run", spec, "--executor", "slurm", "--plain", .. db.DbOption]);

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains($"sweep {name}: 18 completed, 0 failed, 0 pending, 0 running (of 18)", r.StdOut);
            var trials = store.Trials(name);
            Assert.Equal(18, trials.Count);
            Assert.All(trials, t => Assert.Equal(TrialStates.Completed, t.State));
            Assert.Equal(0, store.DuplicateMetricKeys());
            var tasks = store.Query<string?>("SELECT a.slurm_job FROM attempts a JOIN sweep_trials st ON st.trial_id = a.trial_id WHERE st.sweep = @name", new { name });
            Assert.Equal(18, tasks.Count);
            Assert.All(tasks, t => Assert.Matches(@"^\d+_\d+$", t));

            var report = OrchestratorCli.Run(db.Dir.Path, ["report", name, .. db.DbOption]);
            Assert.True(report.ExitCode == 0, report.ToString());
            var markdown = File.ReadAllText(Path.Combine(db.Results, name, "report.md"));
            Assert.Contains("JULIET", markdown);
            Assert.Contains("peo", markdown);
        }
        finally
        {
            if (store.Ready && store.Query<string>("SELECT job_id FROM slurm_jobs WHERE sweep = @name", new { name }) is { Count: > 0 } jobs)
                SlurmCluster.Tool("scancel", [.. jobs]);
        }
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Scancel_of_one_array_task_mid_trial_resumes_the_trial_from_its_checkpoint_in_another_task(Backend backend)
    {
        // Two trials long enough to cancel mid-way; three workers, two at once, so one waits to take over.
        using var sweep = new SlurmSweep("scancel", ["model.cell: [gru, lstm]"], parallel: 2, workers: 3, epochs: 2, maxSteps: 0, checkpointEvery: 5, hidden: 64, backend: backend);
        var submit = sweep.Cli("run", sweep.Spec, "--detach");
        Assert.True(submit.ExitCode == 0, submit.ToString());

        var (victim, task) = WaitForRunningTrialWithCheckpoint(sweep);
        var cancel = SlurmCluster.Tool("scancel", task);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());

        // `run` again: the sweep's jobs are still live, so it submits none and follows them to the end.
        var follow = sweep.Cli("run", sweep.Spec);
        Assert.True(follow.ExitCode == 0, follow.ToString());
        Assert.Contains("submitting none", follow.StdOut);
        Assert.Single(sweep.Jobs);

        Assert.All(sweep.Store.Trials(sweep.Name), t => Assert.Equal(TrialStates.Completed, t.State));
        var attempts = sweep.Attempts(victim);
        Assert.True(attempts.Count == 2, string.Join("\n", attempts));
        Assert.Equal(("interrupted", task), (attempts[0].Outcome, attempts[0].SlurmJob));
        Assert.Matches(@"^interrupted at step [1-9]\d*$", attempts[0].Reason);
        Assert.Equal("completed", attempts[1].Outcome);
        Assert.NotEqual(task, attempts[1].SlurmJob);
        Assert.Matches($@"{victim} .*: started on cpu, resumed at step [1-9]\d*", sweep.Log(attempts[1].SlurmJob!));
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
        // `query` shows the two attempts with their array tasks, the way a user would look.
        var q = sweep.Cli("query", $"SELECT attempt, outcome, slurm_job FROM attempts WHERE trial_id = '{victim}' ORDER BY attempt");
        Assert.Matches($@"1\s+interrupted\s+{task}", q.StdOut);
        Assert.Matches($@"2\s+completed\s+{attempts[1].SlurmJob}", q.StdOut);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void The_time_limit_warning_signal_makes_the_worker_checkpoint_and_another_task_resumes_the_trial(Backend backend)
    {
        // One trial, two workers one at a time: the second takes over after the first is warned.
        using var sweep = new SlurmSweep("signal", ["model.cell: [gru]"], parallel: 1, workers: 2, epochs: 2, maxSteps: 0, checkpointEvery: 5, hidden: 64, backend: backend);
        using var run = sweep.Start("run", sweep.Spec);
        var (victim, task) = WaitForRunningTrialWithCheckpoint(sweep, run);
        Assert.Contains("#SBATCH --signal=B:TERM@60", File.ReadAllText(sweep.Dir.File($"results/slurm/{sweep.Name}/worker.sbatch")));

        // What --signal=B:TERM@60 does before the time limit: SIGTERM to the batch shell (the worker) only.
        var signal = SlurmCluster.Tool("scancel", "--batch", "--signal=TERM", task);
        Assert.True(signal.ExitCode == 0, signal.ToString());

        Assert.True(run.WaitForExit(Patience) == 0, run.Output);
        var attempts = sweep.Attempts(victim);
        Assert.True(attempts.Count == 2, string.Join("\n", attempts));
        Assert.Equal(("interrupted", task), (attempts[0].Outcome, attempts[0].SlurmJob));
        Assert.Equal("completed", attempts[1].Outcome);
        Assert.NotEqual(task, attempts[1].SlurmJob);
        Assert.Contains("SIGTERM: asking running trials to checkpoint", sweep.Log(task));
        Assert.Contains("1 back to pending", sweep.Log(task));
        Assert.Matches($@"{victim} .*: started on cpu, resumed at step [1-9]\d*", sweep.Log(attempts[1].SlurmJob!));
        // The warned worker exited 0: Slurm counts the task COMPLETED, not FAILED.
        Assert.Contains((task, "COMPLETED"), SlurmCluster.Tasks(sweep.Jobs[0].JobId));
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void A_requeued_task_is_not_final_run_keeps_following_and_the_task_resumes_the_trial_when_it_runs_again(Backend backend)
    {
        using var sweep = new SlurmSweep("requeue", ["model.cell: [lstm]"], parallel: 1, workers: 1, epochs: 2, maxSteps: 0, checkpointEvery: 5, hidden: 64, backend: backend);
        using var run = sweep.Start("run", sweep.Spec);
        var (victim, task) = WaitForRunningTrialWithCheckpoint(sweep, run);

        // What preemption with PreemptMode=REQUEUE does: the task is killed and queued again (--requeue).
        var requeue = SlurmCluster.Tool("scontrol", "requeue", task);
        Assert.True(requeue.ExitCode == 0, requeue.ToString());
        // Slurm holds a requeued batch job back for a while (BeginTime): `run` follows on and shows it
        // waiting again (it polls every second, so wait for its line), then let it go at once.
        run.WaitUntil(() => System.Text.RegularExpressions.Regex.IsMatch(run.StdOut, $@"job {task}: (REQUEUED|PENDING)"), Patience,
            "run to show the requeued task waiting again");
        var release = SlurmCluster.Tool("scontrol", "update", $"JobId={task}", "StartTime=now");
        Assert.True(release.ExitCode == 0, release.ToString());

        Assert.True(run.WaitForExit(Patience) == 0, run.Output);
        var attempts = sweep.Attempts(victim);
        Assert.True(attempts.Count == 2, string.Join("\n", attempts));
        Assert.Equal(("interrupted", task), (attempts[0].Outcome, attempts[0].SlurmJob));
        Assert.Equal(("completed", task), (attempts[1].Outcome, attempts[1].SlurmJob));
        var log = sweep.Log(task); // --open-mode=append: both runs of the task in one log
        Assert.Contains("(requeued 1 time(s))", log);
        Assert.Matches($@"{victim} .*: started on cpu, resumed at step [1-9]\d*", log);
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Cancel_scancels_the_sweeps_jobs_and_leaves_its_trials_resumable(Backend backend)
    {
        // Five epochs (about 700 steps): on an idle machine two epochs could end between the first checkpoint and the scancel.
        using var sweep = new SlurmSweep("cancel", ["model.cell: [gru, lstm]", "model.hidden: [64, 72]"], parallel: 2, epochs: 5, maxSteps: 0, checkpointEvery: 5, hidden: 64, backend: backend);
        var submit = sweep.Cli("run", sweep.Spec, "--detach");
        Assert.True(submit.ExitCode == 0, submit.ToString());
        Assert.Contains("detached", submit.StdOut);
        var (victim, task) = WaitForRunningTrialWithCheckpoint(sweep);
        var job = sweep.Jobs.Single().JobId;

        // status shows the running trial's array task and its state, and the job's tasks.
        var status = sweep.Cli("status", sweep.Name);
        Assert.Matches($@"{victim}\s+\S.*running\s+{task} RUNNING", status.StdOut);
        Assert.Matches($@"slurm job {job} \(--array=0-3%2, [^)]+\): .*\d+ RUNNING", status.StdOut);

        var cancel = sweep.Cli("cancel", sweep.Name);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains($"scancel {job}:", cancel.StdOut);
        Assert.All(SlurmCluster.Tasks(job), t => Assert.True(t.State is "CANCELLED" or "COMPLETED", $"{t.Task} is {t.State}"));
        var trials = sweep.Store.Trials(sweep.Name);
        Assert.DoesNotContain(trials, t => t.State == TrialStates.Running);
        Assert.Equal(TrialStates.Pending, trials.Single(t => t.TrialId == victim).State);
        Assert.Equal(("interrupted", task), (sweep.Attempts(victim)[^1].Outcome, sweep.Attempts(victim)[^1].SlurmJob));
        var after = sweep.Cli("status", sweep.Name);
        Assert.Matches($@"{victim}\s+\S.*pending\s+{task} CANCELLED", after.StdOut);
        // Counted as a user counts them: the two that ran, and the two that never started.
        Assert.Matches($@"slurm job {job} \([^)]+\): 2 CANCELLED, 2 cancelled before starting\n", after.StdOut);

        // Resumable: running the spec again submits new workers, which finish the sweep from the checkpoints.
        var again = sweep.Cli("run", sweep.Spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, sweep.Jobs.Count);
        // It reports its own job's tasks; the cancelled job gets one line.
        Assert.Contains($"earlier job of this sweep: {job} (--array=0-3%2) ended: 2 CANCELLED, 2 cancelled before starting\n", again.StdOut);
        Assert.DoesNotMatch($@"\] job {job}_", again.StdOut);
        Assert.Matches($@"\] job {sweep.Jobs[1].JobId}_\d: RUNNING on ", again.StdOut);
        Assert.All(sweep.Store.Trials(sweep.Name), t => Assert.Equal(TrialStates.Completed, t.State));
        var resumed = sweep.Attempts(victim)[^1];
        Assert.Matches($@"{victim} .*: started on cpu, resumed at step [1-9]\d*", sweep.Log(resumed.SlurmJob!));
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
    }

    [Fact]
    public void A_worker_killed_with_kill_9_is_reported_by_run_with_its_node_signal_and_what_becomes_of_its_trial()
    {
        // One trial, two workers one at a time: the second takes the trial over after the first is killed.
        using var sweep = new SlurmSweep("kill9", ["model.cell: [gru]"], parallel: 1, workers: 2, epochs: 2, maxSteps: 0, checkpointEvery: 5, hidden: 64);
        using var run = sweep.Start("run", sweep.Spec);
        var (victim, task) = WaitForRunningTrialWithCheckpoint(sweep, run);

        // kill -9 of the worker process (the batch script execs it): Slurm ends the task FAILED, signal 9.
        var pids = SlurmCluster.Tool("pgrep", "-f", $"orchestrator.dll worker .*--sweep {sweep.Name}");
        var worker = pids.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
        Assert.Equal(0, SlurmCluster.Tool("kill", "-9", worker).ExitCode);

        Assert.True(run.WaitForExit(Patience) == 0, run.Output);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(run.StdOut,
            $@"\] job {task}: FAILED on \S+, killed by signal 9\b.*; trial {victim} gru was running in it\b.*(the next worker (takes it over|resumes it) from its newest checkpoint|taken over in job )"), run.Output);
        var attempts = sweep.Attempts(victim);
        Assert.Equal("completed", attempts[^1].Outcome);
        Assert.NotEqual(task, attempts[^1].SlurmJob);
        Assert.Matches($@"{victim} gru: (running|taken over) in job {attempts[^1].SlurmJob} \(attempt {attempts.Count}\)", run.StdOut);
        Assert.Equal(0, sweep.Store.DuplicateMetricKeys());
        var status = sweep.Cli("status", sweep.Name);
        Assert.Matches($@"slurm job {sweep.Jobs[0].JobId} \([^)]+\): 1 COMPLETED, 1 FAILED\n", status.StdOut);
    }

    /// <summary>Waits for a running trial that has a checkpoint and whose worker recorded its array task; returns both.</summary>
    private static (string TrialId, string Task) WaitForRunningTrialWithCheckpoint(SlurmSweep sweep, OrchestratorCli.Background? run = null)
    {
        (string, string)? found = null;
        bool Found()
        {
            if (!sweep.Store.Ready) return false;
            if (sweep.Store.RunningWithCheckpoint(sweep.Name) is not { } t || sweep.TaskOf(t.TrialId) is not { } task) return false;
            found = (t.TrialId, task);
            return true;
        }
        if (run is not null) run.WaitUntil(Found, Patience, "a running trial with a checkpoint");
        else
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!Found())
            {
                if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"no trial of {sweep.Name} was running with a checkpoint after {Patience}");
                Thread.Sleep(100);
            }
        }
        return found!.Value;
    }
}
