using System.Globalization;

namespace Core.Contract;

/// <summary>
/// A process as the store records it: host, pid and the process's start time (Linux: field 22 of
/// <c>/proc/PID/stat</c>, clock ticks since boot), written <c>host:pid:start</c>. The start time
/// tells a live process from a later one that got the same pid. 0 means the start time is unknown
/// (not Linux), and such a process is never judged gone. See docs/contract.md.
/// </summary>
public sealed record ProcessIdentity(string Host, int Pid, long StartTime)
{
    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } = new(Environment.MachineName, Environment.ProcessId, StartTimeOf(Environment.ProcessId) ?? 0);

    /// <summary>A live process of this host by its pid; null if there is none (or it is a zombie).</summary>
    public static ProcessIdentity? Of(int pid) => StartTimeOf(pid) is { } start ? new ProcessIdentity(Current.Host, pid, start) : null;

    public override string ToString() => $"{Host}:{Pid.ToString(CultureInfo.InvariantCulture)}:{StartTime.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>host:pid:start</c>; null for anything else. The host may itself contain ':'.</summary>
    public static ProcessIdentity? Parse(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length < 3) return null;
        var host = string.Join(':', parts[..^2]);
        return host.Length > 0
               && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
               && long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcessIdentity(host, pid, start)
            : null;
    }

    /// <summary>
    /// True only when this names a process of this host that has ended: no such pid, a zombie, or a
    /// pid now held by a process that started at another time. False when it runs, or when that
    /// cannot be known from here (another host, an unknown start time).
    /// </summary>
    public bool IsGoneHere()
    {
        if (StartTime == 0 || !string.Equals(Host, Current.Host, StringComparison.Ordinal) || Current.StartTime == 0) return false;
        return StartTimeOf(Pid) != StartTime;
    }

    /// <summary>The start time of a live process (zombies count as ended); null if there is none with that pid or it cannot be read.</summary>
    private static long? StartTimeOf(int pid)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x") return null;
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
