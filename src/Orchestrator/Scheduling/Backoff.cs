namespace Orchestrator.Scheduling;

/// <summary>
/// Exponential backoff with jitter: retry k (0-based) waits <c>base × 2^k × u</c>, u uniform in
/// [0.8, 1.2). The jitter spreads retries of trials that crashed together; because 2 × 0.8 &gt; 1.2,
/// every retry still waits longer than the one before.
/// </summary>
internal sealed class Backoff(TimeSpan baseDelay, TimeSpan maxDelay)
{
    public TimeSpan BaseDelay { get; } = baseDelay;
    public TimeSpan MaxDelay { get; } = maxDelay;

    public TimeSpan Delay(int retry, double uniform01)
    {
        var factor = Math.Pow(2, Math.Min(retry, 30)) * (0.8 + 0.4 * Math.Clamp(uniform01, 0, 1));
        var seconds = Math.Min(BaseDelay.TotalSeconds * factor, MaxDelay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    public TimeSpan Delay(int retry) => Delay(retry, Random.Shared.NextDouble());
}
