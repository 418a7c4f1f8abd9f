using Core.Spec;
using Orchestrator.Scheduling;

namespace Orchestrator.Tests;

/// <summary>The scheduler's options come from the spec's execution section (the one source of its defaults) and the command line.</summary>
public sealed class SchedulerOptionsTests
{
    [Theory]
    [InlineData(1, 2, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 16, 5)]
    public void Cores_are_divided_between_parallel_trials(int parallel, int cores, int threads) =>
        Assert.Equal(threads, SchedulerOptions.DivideCores(parallel, cores));

    [Fact]
    public void A_spec_without_an_execution_section_runs_with_the_execution_defaults()
    {
        var spec = SpecLoader.LoadText("plain.yaml", "name: plain\n");
        var o = SchedulerOptions.From(spec.Execution, parallel: null, retryDelaySeconds: null, cores: 8);
        // The documented defaults (docs/orchestrator.md): 1 trial at a time with all 8 cores, 2 retries
        // 2 s apart at first, a 30 s lease (so the store is polled every 5 s), the device libtorch picks.
        Assert.Equal((1, 2, TimeSpan.FromSeconds(30), "auto", 8, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)),
            (o.Parallel, o.Retries, o.Lease, o.Device, o.ThreadsPerTrial, o.RetryDelay, o.PollInterval));
    }

    [Fact]
    public void The_command_line_overrides_parallel_and_the_retry_delay_and_the_spec_the_rest()
    {
        var execution = new ExecutionConfig { Device = "cpu", Parallel = 4, Retries = 5, Lease = TimeSpan.FromSeconds(12), ThreadsPerTrial = 3 };
        var o = SchedulerOptions.From(execution, parallel: 2, retryDelaySeconds: 0.25, cores: 8);
        Assert.Equal((2, 5, TimeSpan.FromSeconds(12), "cpu", 3, TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(2)),
            (o.Parallel, o.Retries, o.Lease, o.Device, o.ThreadsPerTrial, o.RetryDelay, o.PollInterval));
    }
}
