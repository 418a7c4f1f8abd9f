using Core.Spec;
using Core.Store;
using Orchestrator.Planning;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Issue 17 §3 on SQLite, through the CLI: `query` streams its rows (memory stays flat however many
/// there are: an endless query prints rows while it runs), and `--timeout` stops a query that runs
/// too long with exit 2 and a message that says how to give it longer.
/// </summary>
public sealed class QueryLimitsTests : IDisposable
{
    private const string Endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, 'row ' || x AS label FROM c";
    private readonly TempDir _dir = new();

    public QueryLimitsTests() =>
        SweepPlan.Register(Database.Open(_dir.File("results/orchestrator.db")), SpecLoader.Load(TinySweep.Write(_dir, "q", ["model.hidden: [16]"])));

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("table")]
    public void Rows_stream_out_while_the_query_runs_and_memory_stays_flat(string format)
    {
        using var query = OrchestratorCli.Start(_dir.Path, null, "query", "--timeout", "0", "--format", format, Endless);
        long Lines() => query.StdOutLines;
        query.WaitUntil(() => Lines() > 100_000, TimeSpan.FromMinutes(2), "100,000 lines of an endless query");
        var early = Rss(query.Pid);
        query.WaitUntil(() => Lines() > 600_000, TimeSpan.FromMinutes(3), "600,000 lines of an endless query");
        var late = Rss(query.Pid);
        Assert.False(query.HasExited);
        // Kept rows would take well over 100 MB by now (an object[], a boxed long and a string each).
        Assert.True(late - early < 48 << 20, $"the query's memory grew from {early >> 20} MB to {late >> 20} MB while it printed 500,000 rows");
        Assert.Contains("row 100000", query.StdOut);
    }

    [Fact]
    public void A_query_past_its_timeout_stops_with_exit_2_and_says_how_to_give_it_longer()
    {
        var r = OrchestratorCli.Run(_dir.Path, "query", "--timeout", "1", "SELECT COUNT(*) FROM (" + Endless + ")");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: the query ran longer than 1 s and was stopped (nothing was changed)", r.StdErr);
        Assert.Contains("--timeout SECONDS (0: no limit)", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);

        var bad = OrchestratorCli.Run(_dir.Path, "query", "--timeout", "-3", "SELECT 1");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("--timeout must be a number of seconds from 0 (no limit)", bad.StdErr);
    }

    /// <summary>A process's resident memory in bytes (Linux /proc).</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
