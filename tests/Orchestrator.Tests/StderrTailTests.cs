using Orchestrator.Execution;

namespace Orchestrator.Tests;

public sealed class StderrTailTests
{
    [Fact]
    public void The_stderr_tail_keeps_the_last_lines()
    {
        var tail = new StderrTail(3);
        foreach (var i in Enumerable.Range(1, 5)) tail.Add($"line {i}");
        Assert.Equal(["line 3", "line 4", "line 5"], tail.Lines());
    }
}
