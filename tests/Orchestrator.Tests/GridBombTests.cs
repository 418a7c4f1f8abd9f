using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Grid bombs (issue 17 §4): a grid too big is refused with its count before anything is expanded or
/// recorded, and a big grid that is allowed streams through <c>run --dry-run</c> in flat memory.
/// </summary>
[Collection("sweeps")]
public sealed class GridBombTests
{
    private static readonly string[] Bomb =
        ["model.hidden: [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]", "model.embedding: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]",
         "data.seq_len: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]", "train.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]",
         "sample.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "train.lr: [0.01, 0.02, 0.03]"];

    [Fact]
    public void A_grid_bomb_is_refused_with_its_count_and_records_nothing()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "bomb", Bomb);

        var r = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("grid: expands to 300,000 trials (10 model.hidden × 10 model.embedding × 10 data.seq_len × 10 train.seed × 10 sample.seed × 3 train.lr), "
                        + "more than search.max_trials (100,000); raise search.max_trials", r.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }

    [Fact]
    public void An_allowed_big_grid_streams_through_the_dry_run_within_a_small_heap()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "big", Bomb, sections: ["search: { max_trials: 300000 }"]);
        // 300,000 trials held at once take far more than this heap; built one at a time they fit.
        var env = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x6000000" }; // 96 MiB

        var r = OrchestratorCli.Run(dir.Path, env, "run", spec, "--dry-run");

        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("sweep big: 300000 trials (dry run, nothing recorded; listed as they are built)", r.StdOut);
        var rows = DryRunTests.Rows(r.StdOut);
        Assert.Equal(300_000, rows.Count);
        Assert.Equal(["0", "16", "4", "8", "1", "1", "0.01", "new"], rows[0].Take(1).Concat(rows[0].Skip(2).Take(7)));
        Assert.Equal("299999", rows[^1][0]);
        Assert.Equal(300_000, rows.Select(row => row[1]).Distinct().Count());
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }
}
