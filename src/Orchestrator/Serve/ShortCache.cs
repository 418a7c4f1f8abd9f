using System.Collections.Concurrent;

namespace Orchestrator.Serve;

/// <summary>
/// Keeps each answer for a moment, so many pages polling the same sweep cost the store one read per
/// <c>ttl</c>, not one per page.
/// </summary>
internal sealed class ShortCache(TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, (DateTime At, object Value)> _entries = new();

    public T Get<T>(string key, Func<T> read) where T : notnull
    {
        var now = DateTime.UtcNow;
        if (_entries.TryGetValue(key, out var e) && now - e.At < ttl) return (T)e.Value;
        var value = read();
        _entries[key] = (now, value);
        return value;
    }
}
