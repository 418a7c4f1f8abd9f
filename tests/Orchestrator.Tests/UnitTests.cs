using Orchestrator.Cli.Progress;
using Orchestrator.Execution;
using Orchestrator.Scheduling;

namespace Orchestrator.Tests;

/// <summary>The small pieces with rules of their own: backoff, the progress-line protocol, the stderr tail, core division.</summary>
public sealed class BackoffTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Delays_double_within_the_jitter_band(double u)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromHours(1));
        for (var k = 0; k < 6; k++)
        {
            var d = backoff.Delay(k, u).TotalSeconds;
            Assert.InRange(d, 2 * Math.Pow(2, k) * 0.8 - 1e-9, 2 * Math.Pow(2, k) * 1.2 + 1e-9);
        }
    }

    [Fact]
    public void Every_retry_waits_longer_than_the_one_before_whatever_the_jitter()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        for (var k = 0; k < 8; k++)
            Assert.True(backoff.Delay(k + 1, 0.0) > backoff.Delay(k, 1.0), $"retry {k + 1} with the least jitter must still wait longer than retry {k} with the most");
    }

    [Fact]
    public void Delays_are_capped()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.Delay(10, 0.5));
    }
}

public sealed class RunnerEventTests
{
    [Fact]
    public void Every_event_of_the_process_contract_parses()
    {
        Assert.Equal(new RunnerEvent.Start("cpu", 5, 1561, 120),
            RunnerEvent.TryParse("""@progress {"event":"start","trial":"abc","device":"cpu","epochs":5,"steps_per_epoch":1561,"resumed_step":120}"""));
        Assert.Equal(new RunnerEvent.StepLogged(2, 130, 1.25, 40000.5),
            RunnerEvent.TryParse("""@progress {"event":"step","epoch":2,"step":130,"loss":1.25,"chars_per_sec":40000.5}"""));
        Assert.Equal(new RunnerEvent.EpochEnded(1, 1561, 1.9, 1.8, 0.55, 39000, 12.5),
            RunnerEvent.TryParse("""@progress {"event":"epoch","epoch":1,"step":1561,"train_loss":1.9,"val_loss":1.8,"val_error":0.55,"chars_per_sec":39000,"seconds":12.5}"""));
        Assert.Equal(new RunnerEvent.CheckpointSaved("ckpt_1", 1561), RunnerEvent.TryParse("""@progress {"event":"checkpoint","name":"ckpt_1","step":1561}"""));
        Assert.IsType<RunnerEvent.Done>(RunnerEvent.TryParse("""@progress {"event":"done"}"""));
    }

    [Theory]
    [InlineData("runner: epoch 1 done")]
    [InlineData("@progress not json")]
    [InlineData("@progress [1,2]")]
    [InlineData("@progress {\"event\":\"unknown\"}")]
    [InlineData("@progress{\"event\":\"done\"}")]
    public void Other_lines_are_ignored(string line) => Assert.Null(RunnerEvent.TryParse(line));

    [Fact]
    public void A_nan_loss_reads_as_not_a_number()
    {
        var e = Assert.IsType<RunnerEvent.StepLogged>(RunnerEvent.TryParse("""@progress {"event":"step","epoch":1,"step":10,"loss":"NaN","chars_per_sec":1}"""));
        Assert.True(double.IsNaN(e.Loss));
    }
}

public sealed class SmallPartsTests
{
    [Fact]
    public void The_stderr_tail_keeps_the_last_lines()
    {
        var tail = new StderrTail(3);
        foreach (var i in Enumerable.Range(1, 5)) tail.Add($"line {i}");
        Assert.Equal(["line 3", "line 4", "line 5"], tail.Lines());
    }

    [Theory]
    [InlineData(1, 2, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 16, 5)]
    public void Cores_are_divided_between_parallel_trials(int parallel, int cores, int threads) =>
        Assert.Equal(threads, SchedulerOptions.DivideCores(parallel, cores));

    [Fact]
    public void Trial_labels_name_the_grid_values()
    {
        var grid = new Dictionary<string, string> { ["model.cell"] = "lstm", ["model.hidden"] = "512", ["data.seq_len"] = "100" };
        Assert.Equal("lstm hidden=512 seq_len=100", TrialLabels.Label(grid, 0, showRepeat: false));
        Assert.Equal("lstm hidden=512 seq_len=100 r2", TrialLabels.Label(grid, 2, showRepeat: true));
    }
}
