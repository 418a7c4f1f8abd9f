using System.Globalization;
using Core.Store;
using Orchestrator.Slurm;

namespace Orchestrator.Tests;

/// <summary>More workers than the cluster's MaxArraySize: split into several job arrays, at most P tasks at once in all.</summary>
[Collection("sweeps")]
public sealed class SlurmArrayTests
{
    [Theory]
    [InlineData(4, 2, 1001, new[] { "0-3%2" }, new int[0])]
    [InlineData(1, 1, 1001, new[] { "0%1" }, new int[0])]
    [InlineData(3, 8, 1001, new[] { "0-2%3" }, new int[0])] // never more at once than there are workers
    [InlineData(1001, 2, 1001, new[] { "0-1000%2" }, new int[0])]
    [InlineData(1002, 2, 1001, new[] { "0-1000%1", "0%1" }, new int[0])]
    [InlineData(10, 5, 4, new[] { "0-3%3", "0-3%1", "0-1%1" }, new int[0])]
    [InlineData(10, 2, 4, new[] { "0-3%1", "0-3%1", "0-1%1" }, new[] { 2 })] // three arrays, two at once: the third waits for the first
    [InlineData(7, 1, 2, new[] { "0-1%1", "0-1%1", "0-1%1", "0%1" }, new[] { 1, 2, 3 })]
    public void Workers_are_split_below_MaxArraySize_with_at_most_P_tasks_at_once(int workers, int atOnce, int max, string[] arrays, int[] chained)
    {
        var chunks = ArrayPlan.Split(workers, atOnce, max);

        Assert.Equal(arrays, chunks.Select(c => c.ArraySpec));
        Assert.Equal(workers, chunks.Sum(c => c.Count));
        Assert.All(chunks, c => Assert.True(c.Count <= max, $"{c.Count} tasks; task ids up to {c.Count - 1} must stay below MaxArraySize {max}"));
        // Arrays that start together never run more than P tasks at once; the rest wait for one of them to end.
        Assert.True(chunks.Where(c => c.AfterChunk is null).Sum(c => c.Throttle) <= atOnce);
        Assert.Equal(chained, chunks.Select((c, i) => (c, i)).Where(x => x.c.AfterChunk is not null).Select(x => x.i));
        Assert.All(chunks.Where(c => c.AfterChunk is not null), c => Assert.Equal(1, c.Throttle));
        for (var i = 0; i < chunks.Count; i++)
            if (chunks[i].AfterChunk is { } after) Assert.Equal(i - atOnce, after);
    }

    [Trait("Needs", "Slurm")]
    [Fact]
    public void A_sweep_with_more_workers_than_MaxArraySize_is_submitted_as_two_arrays_and_completes()
    {
        SlurmCluster.RequireRunning();
        var config = SlurmCluster.Tool("scontrol", "show", "config");
        var max = int.Parse(config.StdOut.Split('\n').Single(l => l.StartsWith("MaxArraySize", StringComparison.Ordinal)).Split('=')[1].Trim(), CultureInfo.InvariantCulture);
        // One trial and MaxArraySize + 1 workers, two at once: one array of MaxArraySize tasks and one of a single task.
        using var sweep = new SlurmSweep("arrays", ["model.cell: [gru]"], parallel: 2, workers: max + 1);

        var run = OrchestratorCli.Run(sweep.Dir.Path, "run", sweep.Spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{max + 1} workers exceed this cluster's MaxArraySize ({max}): submitting 2 job arrays", run.StdOut);
        var jobs = sweep.Jobs;
        Assert.Equal([$"0-{max - 1}%1", "0%1"], jobs.Select(j => j.Array));
        Assert.Equal(TrialStates.Completed, sweep.Store.Trials(sweep.Name).Single().State);
        // The cluster took both arrays (one of MaxArraySize + 1 tasks it would have refused); squeue keeps their ended tasks for MinJobAge.
        Assert.NotEmpty(SlurmCluster.Tasks(jobs[0].JobId));
        Assert.NotEmpty(SlurmCluster.Tasks(jobs[1].JobId));
        // Once the sweep is done, the workers still waiting would find nothing: run cancelled them.
        Assert.Matches(@"cancelled \d+ worker task\(s\) still waiting in the queue: nothing is left for them", run.StdOut);
        Assert.DoesNotContain(jobs.SelectMany(j => SlurmCluster.Tasks(j.JobId)), t => t.State == "PENDING");
        // status counts them as a user does: squeue shows the never-started tasks of the first array as one
        // cancelled record, which stands for every one of its tasks without a line of its own.
        var status = sweep.Cli("status", sweep.Name);
        var line = System.Text.RegularExpressions.Regex.Match(status.StdOut, $@"slurm job {jobs[0].JobId} \([^)]+\): (.*)\n");
        Assert.True(line.Success, status.ToString());
        Assert.Matches(@"\d+ cancelled before starting", line.Groups[1].Value);
        Assert.Equal(max, line.Groups[1].Value.Split(", ").Sum(c => int.Parse(c.Split(' ')[0], CultureInfo.InvariantCulture)));
        var json = System.Text.Json.JsonDocument.Parse(sweep.Cli("status", sweep.Name, "--json").StdOut).RootElement.GetProperty("sweeps")[0].GetProperty("slurm_jobs")[0];
        Assert.Equal(max, json.GetProperty("task_counts").EnumerateObject().Sum(c => c.Value.GetInt32()));
        Assert.True(json.GetProperty("task_counts").GetProperty("cancelled before starting").GetInt32() > 0, json.ToString());
    }

    [Theory]
    [InlineData("0-17%4", 18)]
    [InlineData("0%1", 1)]
    [InlineData("1,3,5-11:2", 6)]
    [InlineData("x", -1)]
    public void An_array_specs_task_ids_are_counted(string spec, int count) =>
        Assert.Equal(count, SlurmTaskCounts.TaskIds(spec)?.Count ?? -1);
}
