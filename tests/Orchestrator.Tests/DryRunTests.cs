using System.Text.RegularExpressions;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary><c>run --dry-run</c>: the expanded grid with stable ids, and nothing run or recorded.</summary>
public sealed partial class DryRunTests
{
    /// <summary>The plain table's rows: ordinal, trial id, then the other cells.</summary>
    internal static List<string[]> Rows(string stdout) =>
        stdout.Split('\n').Where(l => RowLine().IsMatch(l)).Select(l => Regex.Split(l.Trim(), @"\s{2,}")).ToList();

    [GeneratedRegex(@"^\d+\s+[0-9a-f]{12}\s")]
    private static partial Regex RowLine();

    [Fact]
    public void Dry_run_prints_every_trial_of_the_grid_times_repeats_and_records_nothing()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "dry", ["model.cell: [gru, lstm]", "model.hidden: [16, 24, 32]"]);
        File.AppendAllText(spec, "repeats: 2\n");

        var r = OrchestratorCli.Run(dir.Path, "run", spec, "--dry-run");

        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = Rows(r.StdOut);
        Assert.Equal(12, rows.Count);
        Assert.Contains("model.cell", r.StdOut);
        Assert.Contains("model.hidden", r.StdOut);
        Assert.Equal(12, rows.Select(x => x[1]).Distinct().Count());
        // Grid order: first key slowest, repeats innermost; every trial is new.
        Assert.Equal(["0", rows[0][1], "gru", "16", "0", "new", "-", "-"], rows[0][..8]);
        Assert.Equal(["1", rows[1][1], "gru", "16", "1", "new", "-", "-"], rows[1][..8]);
        Assert.Equal(["11", rows[11][1], "lstm", "32", "1", "new", "-", "-"], rows[11][..8]);
        // Each trial's time, from a few steps measured now on this device (no store, so no records).
        Assert.All(rows, r => Assert.Matches(@"^(\d+ s|\d+ min \d\d s) \(measured\)$", r[8]));
        Assert.Contains("estimate: 12 trial(s) to train, 36.9 k characters;", r.StdOut);
        Assert.Matches(@"wall time about .* at parallel 2 on cpu", r.StdOut);
        Assert.Contains("basis: 12 trial(s) at a speed measured now on cpu (gru-16 emb 8, batch 8, seq 16:", r.StdOut);
        Assert.False(Directory.Exists(dir.File("results")), "a dry run must not create the database");
    }

    [Fact]
    public void Trial_ids_are_the_same_across_runs_and_whatever_the_key_order()
    {
        using var dir = new TempDir();
        var corpus = dir.Write("corpus.txt", Corpora.Generate(5_000));
        var a = dir.Write("a.yaml", $$"""
            name: order
            data: { path: {{corpus}}, seq_len: 16 }
            model: { embedding: 8, cell: gru }
            train: { epochs: 1, lr: 0.01, batch_size: 8 }
            grid:
              model.hidden: [16, 32]
              data.seq_len: [8, 16]
            """);
        var b = dir.Write("b.yaml", $$"""
            grid:
              data.seq_len: [16, 8]
              model.hidden: [32, 16]
            train: { batch_size: 8, lr: 0.01, epochs: 1 }
            model: { cell: gru, embedding: 8 }
            data: { seq_len: 16, path: {{corpus}} }
            name: order
            """);

        var first = Rows(OrchestratorCli.Run(dir.Path, "run", a, "--dry-run").StdOut);
        var again = Rows(OrchestratorCli.Run(dir.Path, "run", a, "--dry-run").StdOut);
        var reordered = Rows(OrchestratorCli.Run(dir.Path, "run", b, "--dry-run").StdOut);

        Assert.Equal(4, first.Count);
        Assert.Equal(first.Select(r => r[1]), again.Select(r => r[1]));
        // The same four configs, whatever order the spec lists keys and values in.
        static Dictionary<string, string> ById(List<string[]> rows, int hiddenCol, int seqCol) =>
            rows.ToDictionary(r => r[1], r => $"hidden={r[hiddenCol]} seq={r[seqCol]}");
        Assert.Equal(ById(first, 2, 3).OrderBy(kv => kv.Key), ById(reordered, 3, 2).OrderBy(kv => kv.Key));
    }
}
