namespace Core.Contract;

/// <summary>
/// Who holds a trial's lease: the owning process's <see cref="ProcessIdentity"/> and a random part,
/// <c>host:pid:start:random</c> (e.g. <c>box:4242:918273:3f9a1c2b</c>). An orchestrator passes its
/// token to the Runners it starts; a standalone Runner makes its own. Formatted and parsed only
/// here. See docs/contract.md.
/// </summary>
public static class OwnerToken
{
    /// <summary>A fresh token for this process.</summary>
    public static string New() => $"{ProcessIdentity.Current}:{Random.Shared.Next():x8}";

    /// <summary>The process a token names; null for a token in another format (an older tool, a test's "me").</summary>
    public static ProcessIdentity? ProcessOf(string? token)
    {
        var last = token?.LastIndexOf(':') ?? -1;
        if (last <= 0) return null;
        var random = token![(last + 1)..];
        return random.Length > 0 && random.All(char.IsAsciiHexDigit) ? ProcessIdentity.Parse(token[..last]) : null;
    }

    /// <summary>
    /// Whether a trial held by <paramref name="owner"/>, with <paramref name="runner"/> (a
    /// <see cref="ProcessIdentity"/>, null before its Runner attached) running it, is orphaned on
    /// this host: the owner's process is gone, and so is the Runner's. An orchestrator that died
    /// leaves its Runners running with its token, so the owner alone is not enough. Anything that
    /// cannot be checked from here counts as alive: the lease decides for it.
    /// </summary>
    public static bool IsOrphanedHere(string? owner, string? runner) =>
        ProcessOf(owner) is { } process && process.IsGoneHere()
        && (runner is null || (ProcessIdentity.Parse(runner)?.IsGoneHere() ?? false));

    /// <summary>
    /// Whether the trial's owner is gone from this host but its Runner still runs here: a Runner
    /// that is stopping because its owner died (it checkpoints and releases the trial within seconds).
    /// </summary>
    public static bool IsOrphanRunningHere(string? owner, string? runner) =>
        ProcessOf(owner) is { } process && process.IsGoneHere()
        && ProcessIdentity.Parse(runner) is { } r && r.Host == ProcessIdentity.Current.Host && ProcessIdentity.Of(r.Pid) == r;
}
