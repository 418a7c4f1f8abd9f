namespace Runner.Cli;

/// <summary>
/// Notices that the orchestrator (or worker) that started this Runner is gone. The orchestrator
/// keeps the Runner's stdin open and never writes to it (docs/contract.md); when it dies, even by
/// kill -9, the pipe's last writer is gone and a read here returns end-of-file. Only a Runner run
/// for an owner (--owner) whose stdin is a pipe watches: a terminal, a file or /dev/null says
/// nothing about an owner. (PR_SET_PDEATHSIG is no use here: it fires when the parent's thread that
/// started the child ends, and .NET starts processes from pool threads.)
/// </summary>
internal sealed class OwnerWatch : IDisposable
{
    private readonly Lock _lock = new();
    private Action? _onGone;

    private OwnerWatch(Action onGone) => _onGone = onGone;

    /// <summary>
    /// Watches stdin on a thread of its own if it is a pipe, and calls <paramref name="onGone"/> once
    /// when it closes, unless this was disposed before. Returns null when stdin is not a pipe.
    /// </summary>
    public static OwnerWatch? Start(Action onGone)
    {
        if (!StdinIsPipe()) return null;
        var watch = new OwnerWatch(onGone);
        new Thread(watch.Watch) { IsBackground = true, Name = "owner watch" }.Start();
        return watch;
    }

    private void Watch()
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0) { } // nobody writes; anything that comes is ignored
        }
        catch (IOException)
        {
            // A read error says what end-of-file says: nobody is at the other end.
        }
        lock (_lock)
        {
            _onGone?.Invoke();
            _onGone = null;
        }
    }

    /// <summary>Whether file descriptor 0 is a pipe (Linux: /proc/self/fd/0 links to <c>pipe:[inode]</c>).</summary>
    private static bool StdinIsPipe()
    {
        try
        {
            return new FileInfo("/proc/self/fd/0").LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) ?? false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>From now on the owner's end changes nothing (what it would stop has ended).</summary>
    public void Dispose()
    {
        lock (_lock) _onGone = null;
    }
}
