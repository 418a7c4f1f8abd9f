namespace Core.Data;

/// <summary>How hard the corpus step tries to download: retries with exponential backoff (and jitter), and a per-attempt timeout.</summary>
public sealed record DownloadOptions
{
    public int MaxRetries { get; init; } = 4;
    /// <summary>Delay before the first retry; each later retry waits about twice as long.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
