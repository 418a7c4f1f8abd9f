using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A run killed with kill -9 leaves what it recorded in <c>orchestrator.db-wal</c>; if someone then
/// deletes that file, the database file alone has no tables. The reading commands say so, instead of
/// calling it an old schema to migrate.
/// </summary>
[Collection("sweeps")]
public sealed class LostWriteAheadLogTests
{
    [Fact]
    public void Status_and_query_say_a_database_whose_wal_was_deleted_after_a_crash_is_empty_or_lost_its_log()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "lostwal", ["model.hidden: [16, 24]"], epochs: 4, maxSteps: 0, checkpointEvery: 10, parallel: 1);
        var db = dir.File("results/orchestrator.db");
        using (var run = OrchestratorCli.Start(dir.Path, null, "run", spec))
        {
            run.WaitUntil(() => run.StdOut.Contains(": claimed (attempt 1)", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "a trial to be claimed");
            run.KillTree();
        }
        Assert.True(new FileInfo(db + "-wal").Length > 0, "the crashed run should have left its records in the write-ahead log");
        File.Delete(db + "-wal");
        File.Delete(db + "-shm");

        foreach (var args in new[] { new[] { "status" }, ["query", "SELECT * FROM trials"], ["report"] })
        {
            var r = OrchestratorCli.Run(dir.Path, args);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains($"error: {db} is empty or lost its write-ahead log: it has no tables", r.StdErr);
            Assert.Contains("orchestrator.db-wal", r.StdErr);
            Assert.DoesNotContain("migrate", r.StdErr);
        }
    }
}
