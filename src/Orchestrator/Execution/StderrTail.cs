namespace Orchestrator.Execution;

/// <summary>The last <see cref="Capacity"/> lines a process wrote to stderr (thread-safe), kept for failure reasons.</summary>
internal sealed class StderrTail(int capacity = 20)
{
    private readonly Queue<string> _lines = new();

    public int Capacity { get; } = capacity;

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
            while (_lines.Count > Capacity) _lines.Dequeue();
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_lines) return _lines.ToArray();
    }
}
