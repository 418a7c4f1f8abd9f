using Orchestrator.Scheduling;

namespace Orchestrator.Tests;

/// <summary>The retry backoff: exponential, jittered, always growing, capped.</summary>
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
