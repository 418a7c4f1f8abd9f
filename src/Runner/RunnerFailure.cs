using Core.Contract;
using Core.Data;
using Core.Spec;
using Core.Store;
using Runner.Training;

namespace Runner;

/// <summary>What an exception that ends the Runner means, as a <see cref="FailureEvent"/>: its kind and a one-line message for people.</summary>
internal static class RunnerFailure
{
    public static FailureEvent Of(Exception e) => e switch
    {
        // A store this Runner cannot reach, while its owner could: most likely passing, so another attempt may help.
        DatabaseConnectionException => new(FailureKind.Crashed, e.Message),
        // Past the outage window: not the trial's fault; its owner (or the next run) resumes it from its last checkpoint.
        DatabaseOutageException or DiskFullException => new(FailureKind.Crashed, e.Message),
        UsageException or BadInputException or SpecException or CorpusException or StoreException => new(FailureKind.BadInput, e.Message),
        DivergedException => new(FailureKind.Diverged, e.Message),
        _ when IsOutOfMemory(e) => new(FailureKind.OutOfMemory, $"out of memory: {Headline(e.Message)}"),
        _ => new(FailureKind.Crashed, $"{e.GetType().Name}: {Headline(e.Message)}"),
    };

    /// <summary>
    /// .NET's own, or libtorch's allocators: the CPU's "DefaultCPUAllocator: can't allocate memory:
    /// you tried to allocate N bytes", CUDA's "CUDA out of memory. Tried to allocate …".
    /// </summary>
    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                                  || e.Message.Contains("can't allocate memory", StringComparison.Ordinal)
                                  || e.Message.Contains("not enough memory", StringComparison.Ordinal);

    /// <summary>
    /// The first line of a message, without libtorch's source location prefix
    /// (<c>[enforce fail at alloc_cpu.cpp:127] err == 0. </c>) and its native frames.
    /// </summary>
    private static string Headline(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        if (line.StartsWith("[enforce fail at ", StringComparison.Ordinal) && line.IndexOf("] ", StringComparison.Ordinal) is var end and > 0)
        {
            line = line[(end + 2)..];
            // "err == 0. DefaultCPUAllocator: …": the failed condition is noise for people.
            if (line.IndexOf(". ", StringComparison.Ordinal) is var dot and > 0 && line[..dot].Contains("==", StringComparison.Ordinal)) line = line[(dot + 2)..];
        }
        return line.Length > 0 ? line : "(no message)";
    }
}
