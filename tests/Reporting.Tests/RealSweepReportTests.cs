using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Reporting.Tests.Support;

namespace Reporting.Tests;

/// <summary>
/// The report of a sweep of real tiny trials (trained by the Runner as child processes): what a user
/// opens — report.md, its figures and its CSVs — checked against the database, twice, read-only.
/// </summary>
[Collection(RealSweepCollection.Name)]
public sealed class RealSweepReportTests(RealSweepReport report)
{
    private static readonly string[] Headings =
    [
        "## 1. Network architecture", "## 2. Learning curves", "## 3. Training and validation error rate", "## 4. Checkpoints",
        "## 5. Hidden size and sequence length", "## 6. GRU versus LSTM", "## 7. Primed text", "## 8. Findings",
    ];

    private SqliteConnection Connect() => ReadOnlySqlite.Connect(report.Sweep.DbPath);

    /// <summary>trial_summary rows of the sweep in grid order, as the store's own view computes them.</summary>
    private List<IDictionary<string, object?>> Summary()
    {
        using var c = Connect();
        return c.Query("SELECT * FROM trial_summary WHERE sweep = @s ORDER BY ordinal", new { s = RealSweep.Sweep })
            .Cast<IDictionary<string, object?>>().ToList();
    }

    [Fact]
    public void The_report_has_every_section_of_the_study_in_order_and_lists_every_trial_as_completed()
    {
        var md = report.Markdown;
        var positions = Headings.Select(h => md.IndexOf(h, StringComparison.Ordinal)).ToList();
        Assert.All(positions.Zip(Headings), x => Assert.True(x.First >= 0, $"missing heading '{x.Second}'"));
        Assert.Equal(positions.Order(), positions);

        Assert.Equal(RealSweep.Sweep, report.First.Sweep);
        Assert.Contains($"# Sweep report: {RealSweep.Sweep.Replace("-", "-")}", md);
        Assert.Contains("**8 trials**: 8 completed.", md);
        Assert.Contains("Ran on: 8 trials on cpu with libtorch 2.10.0 (bundled).", md); // as each trial's Runner recorded it
        var trialsTable = md[md.IndexOf("## Trials", StringComparison.Ordinal)..md.IndexOf("## 1.", StringComparison.Ordinal)];
        foreach (var row in Summary())
        {
            var line = trialsTable.Split('\n').Single(l => l.Contains($"`{row["trial_id"]}`", StringComparison.Ordinal));
            Assert.Contains($"| {row["cell"]} | {row["hidden"]} | {row["seq_len"]} | completed | 2 / 2 |", line);
            Assert.Contains(((double)row["best_val_loss"]!).ToString("0.0000", CultureInfo.InvariantCulture), line);
        }
    }

    [Fact]
    public void Architecture_checkpoints_and_primed_text_show_the_best_trial_of_each_cell_type()
    {
        var summary = Summary();
        using var c = Connect();
        foreach (var cell in RealSweep.Cells)
        {
            var best = summary.Where(r => (string)r["cell"]! == cell).MinBy(r => (double)r["best_val_loss"]!)!;
            var id = (string)best["trial_id"]!;

            var architecture = CellPart(ReportFolder.Section(report.Markdown, 1), cell);
            Assert.Contains($"`{id}`", architecture);
            var layers = c.Query<(string Layer, string Type, string Shape, long Params)>(
                "SELECT layer, type, output_shape, params FROM architecture WHERE trial_id = @id ORDER BY ordinal", new { id }).ToList();
            Assert.NotEmpty(layers);
            foreach (var l in layers)
                Assert.Contains($"| {l.Layer} ({l.Type}) | `{l.Shape}` | {l.Params.ToString("#,0", CultureInfo.InvariantCulture)} |", architecture);
            var total = layers.Sum(l => l.Params);
            Assert.Contains($"Total params: {total.ToString("#,0", CultureInfo.InvariantCulture)} ({(total * 4 / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture)} MB)", architecture);

            var checkpoints = CellPart(ReportFolder.Section(report.Markdown, 4), cell);
            Assert.Contains($"`{id}`", checkpoints);
            var probes = c.Query<(string Checkpoint, string Input, string Predicted, string TopJson)>(
                "SELECT checkpoint, input, predicted, top_json FROM probes WHERE trial_id = @id ORDER BY step", new { id }).ToList();
            Assert.Equal(["ckpt_1", "ckpt_2"], probes.Select(p => p.Checkpoint));
            foreach (var p in probes)
            {
                var top = JsonDocument.Parse(p.TopJson).RootElement.EnumerateArray().Take(3)
                    .Select(e => $"`{Visible(e.GetProperty("char").GetString()!)}` {e.GetProperty("p").GetDouble().ToString("0.000", CultureInfo.InvariantCulture)}");
                Assert.Contains($"| `{p.Checkpoint}` |", checkpoints);
                Assert.Contains($"| `{Visible(p.Input)}` | `{Visible(p.Predicted)}` | {string.Join(", ", top)} |", checkpoints);
            }

            var primed = CellPart(ReportFolder.Section(report.Markdown, 7), cell);
            var sample = c.QuerySingle<string>("SELECT text FROM samples WHERE trial_id = @id AND prime = 'JULIET'", new { id });
            Assert.Contains($"`{id}`", primed);
            Assert.Contains("```text\n" + sample.TrimEnd('\n') + "\n```", primed);
        }
    }

    [Fact]
    public void The_factor_sections_tabulate_every_grid_cell_and_compare_every_matched_pair()
    {
        var summary = Summary();
        var factors = ReportFolder.Section(report.Markdown, 5);
        foreach (var r in summary)
            Assert.Contains($"| {r["cell"]} | {r["hidden"]} | {r["seq_len"]} | completed | {Loss(r["final_val_loss"])} | {Loss(r["best_val_loss"])} | {r["best_epoch"]} |", factors);
        foreach (var cell in RealSweep.Cells)
        {
            Assert.Contains($"figures/5-val-loss-by-hidden-{cell}.png", factors);
            Assert.Contains($"figures/5-val-loss-by-seq_len-{cell}.png", factors);
            Assert.Contains($"figures/5-heatmap-hidden-seq_len-{cell}.png", factors);
        }

        var comparison = ReportFolder.Section(report.Markdown, 6);
        foreach (var h in RealSweep.Hidden)
            foreach (var s in RealSweep.SeqLens)
            {
                double Best(string cell) => (double)summary.Single(r => (string)r["cell"]! == cell && (long)r["hidden"]! == h && (long)r["seq_len"]! == s)["best_val_loss"]!;
                var (gru, lstm) = (Best("gru"), Best("lstm"));
                var winner = gru < lstm ? $"GRU by {Loss(lstm - gru)}" : gru > lstm ? $"LSTM by {Loss(gru - lstm)}" : "tie";
                Assert.Contains($"| {h} | {s} | {Loss(gru)} / {Loss(lstm)} |", comparison);
                Assert.Contains($"| {winner} |", comparison);
            }
    }

    [Fact]
    public void Findings_name_the_factor_whose_level_means_of_best_validation_loss_span_the_widest_range()
    {
        var summary = Summary();
        double Range(string column) => summary.GroupBy(r => Convert.ToString(r[column], CultureInfo.InvariantCulture))
            .Select(g => g.Average(r => (double)r["best_val_loss"]!)).ToList() is var means ? means.Max() - means.Min() : 0;
        var ranges = new Dictionary<string, double> { ["Cell type"] = Range("cell"), ["Hidden size"] = Range("hidden"), ["Sequence length"] = Range("seq_len") };
        var top = ranges.MaxBy(kv => kv.Value);
        var findings = ReportFolder.Section(report.Markdown, 8);
        Assert.Contains($"- {top.Key} moves best validation loss most:", findings);
        Assert.Contains($"(range {Loss(top.Value)})", findings);

        var gruWins = RealSweep.Hidden.SelectMany(h => RealSweep.SeqLens.Select(s => (h, s))).Count(x =>
            Best(summary, "gru", x.h, x.s) < Best(summary, "lstm", x.h, x.s));
        Assert.Contains(gruWins > 2
            ? $"- GRU had the lower best validation loss than LSTM in {gruWins} of 4 matched pairs (LSTM in {4 - gruWins})"
            : $"- LSTM had the lower best validation loss than GRU in {4 - gruWins} of 4 matched pairs (GRU in {gruWins})", findings);
    }

    [Fact]
    public void Every_linked_figure_is_a_valid_png_of_readable_size_and_every_figure_is_linked()
    {
        var links = ReportFolder.ImageLinks(report.Markdown);
        // 2 seq_len groups × (loss per step + loss per epoch + error rate), 2 cells × (by hidden + by seq_len + heatmap),
        // the cell comparison and the throughput figure.
        Assert.Equal(2 * 3 + 2 * 3 + 2, links.Count);
        foreach (var link in links)
        {
            var path = Path.Combine(report.First.OutDir, link);
            Assert.True(File.Exists(path), $"{link} is linked but missing");
            var bytes = File.ReadAllBytes(path);
            var (width, height) = Png.Size(bytes);
            Assert.InRange(width, 700, 1600);
            Assert.InRange(height, 400, 1000);
            using var image = new ScottPlot.Image(bytes); // decodes the whole file
            Assert.Equal((width, height), (image.Width, image.Height));
            var rgb = image.GetArrayRGB();
            var colors = new HashSet<int>();
            for (var y = 0; y < height; y += 7)
                for (var x = 0; x < width; x += 7)
                    colors.Add((rgb[y, x, 0] << 16) | (rgb[y, x, 1] << 8) | rgb[y, x, 2]);
            Assert.True(colors.Count > 8, $"{link} looks blank ({colors.Count} colors)");

            var svg = new SvgFigure(Path.ChangeExtension(path, ".svg")); // every figure also as SVG, of the same size, text as outlines
            Assert.Equal((width, height), (svg.Width, svg.Height));
            Assert.Equal(0, svg.TextElements);
            Assert.All(svg.Panels, p => Assert.Contains(p.Title, svg.Texts));
        }
        var figures = Path.Combine(report.First.OutDir, "figures");
        Assert.Equal(links.Distinct().Order(), Directory.GetFiles(figures, "*.png").Select(f => "figures/" + Path.GetFileName(f)).Order());
        Assert.Equal(links.Select(l => Path.ChangeExtension(l, ".svg")).Order(), Directory.GetFiles(figures, "*.svg").Select(f => "figures/" + Path.GetFileName(f)).Order());
        Assert.Equal(2 * links.Count, Directory.GetFiles(figures).Length);
        Assert.Equal(links.Count, links.Distinct().Count());
    }

    [Fact]
    public void Trials_csv_reads_back_to_the_stores_trial_summary()
    {
        var csv = ReportFolder.ReadCsv<TrialsCsv>(Path.Combine(report.First.OutDir, "trials.csv"));
        var summary = Summary();
        using var c = Connect();
        Assert.Equal(summary.Select(r => (string)r["trial_id"]!), csv.Select(r => r.TrialId));
        foreach (var (row, db) in csv.Zip(summary))
        {
            Assert.Equal((string)db["sweep"]!, row.Sweep);
            Assert.Equal((long)db["ordinal"]!, row.Ordinal);
            Assert.Equal((long)db["repeat"]!, row.Repeat);
            Assert.Equal((string)db["state"]!, row.State);
            Assert.Equal((long)db["attempt"]!, row.Attempt);
            Assert.Equal((string)db["cell"]!, row.Cell);
            Assert.Equal((long)db["embedding"]!, row.Embedding);
            Assert.Equal((long)db["hidden"]!, row.Hidden);
            Assert.Equal((long)db["layers"]!, row.Layers);
            Assert.Equal(Convert.ToDouble(db["dropout"], CultureInfo.InvariantCulture), row.Dropout);
            Assert.Equal((long)db["seq_len"]!, row.SeqLen);
            Assert.Equal((long)db["batch_size"]!, row.BatchSize);
            Assert.Equal(Convert.ToDouble(db["lr"], CultureInfo.InvariantCulture), row.Lr);
            Assert.Equal((long)db["epochs"]!, row.Epochs);
            Assert.Equal((long)db["max_steps"]!, row.MaxSteps);
            Assert.Equal((long)db["seed"]!, row.Seed);
            Assert.Equal((long)db["epochs_done"]!, row.EpochsDone);
            Assert.Equal((long)db["steps_done"]!, row.StepsDone);
            Assert.Equal((string?)db["device"] ?? "", row.Device ?? ""); // CSV has no null: empty
            Assert.Equal((long?)db["params"], row.Params);
            Assert.Equal((double?)db["final_train_loss"], row.FinalTrainLoss);
            Assert.Equal((double?)db["final_val_loss"], row.FinalValLoss);
            Assert.Equal((double?)db["final_val_error"], row.FinalValError);
            Assert.Equal((double?)db["final_train_error"], row.FinalTrainError);
            Assert.Equal((double?)db["best_val_loss"], row.BestValLoss);
            Assert.Equal((long?)db["best_epoch"], row.BestEpoch);
            Assert.Equal((double)db["chars_per_sec"]!, row.CharsPerSec!.Value, 1e-9 * (double)db["chars_per_sec"]!);
            Assert.Equal((double)db["train_seconds"]!, row.TrainSeconds!.Value, 1e-9 * (double)db["train_seconds"]!);
            Assert.Equal((string?)db["failure"] ?? "", row.Failure ?? "");

            var id = row.TrialId;
            Assert.Equal(c.QuerySingle<long?>("SELECT vocab_size FROM trials WHERE trial_id = @id", new { id }), row.VocabSize);
            Assert.Equal(c.QuerySingle<long?>("SELECT exit_code FROM trials WHERE trial_id = @id", new { id }), row.ExitCode);
            Assert.Equal(c.QuerySingle<double?>("SELECT MIN(value) FROM metrics WHERE trial_id = @id AND name = 'val_error'", new { id }), row.BestValError);
            Assert.Equal(row.FinalValLoss - row.FinalTrainLoss, row.OverfitGap);
        }
    }

    [Fact]
    public void Metrics_csv_holds_exactly_the_metric_rows_of_the_sweeps_trials()
    {
        var csv = ReportFolder.ReadCsv<MetricsCsv>(Path.Combine(report.First.OutDir, "metrics.csv"));
        using var c = Connect();
        var db = c.Query<(string TrialId, string Name, long Step, long? Epoch, double Value, double WallTime)>(
            "SELECT m.trial_id, m.name, m.step, m.epoch, m.value, m.wall_time FROM metrics m JOIN sweep_trials st ON st.trial_id = m.trial_id WHERE st.sweep = @s",
            new { s = RealSweep.Sweep }).ToList();
        Assert.Equal(db.Count, csv.Count);
        Assert.Equal(
            db.OrderBy(m => m.TrialId, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Step),
            csv.Select(m => (m.TrialId, m.Name, m.Step, m.Epoch, m.Value, m.WallTime))
                .OrderBy(m => m.TrialId, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Step));
        var configs = Summary().ToDictionary(r => (string)r["trial_id"]!);
        Assert.All(csv, m =>
        {
            Assert.Equal(configs[m.TrialId]["cell"], m.Cell);
            Assert.Equal(configs[m.TrialId]["hidden"], m.Hidden);
            Assert.Equal(configs[m.TrialId]["seq_len"], m.SeqLen);
        });
        Assert.Contains(csv, m => m.Name == "train_loss" && m.Epoch is null);
    }

    [Fact]
    public void Probes_and_samples_csv_read_back_to_the_database()
    {
        using var c = Connect();
        var probes = ReportFolder.ReadCsv<ProbesCsv>(Path.Combine(report.First.OutDir, "probes.csv"));
        var expected = c.Query<(string TrialId, string Checkpoint, long Epoch, long Step, string Input, string Predicted, string TopJson)>(
                "SELECT p.trial_id, p.checkpoint, p.epoch, p.step, p.input, p.predicted, p.top_json FROM probes p JOIN sweep_trials st ON st.trial_id = p.trial_id WHERE st.sweep = @s",
                new { s = RealSweep.Sweep })
            .SelectMany(p => JsonDocument.Parse(p.TopJson).RootElement.EnumerateArray().Select((e, i) =>
                (p.TrialId, p.Checkpoint, p.Epoch, p.Step, p.Input, p.Predicted, Rank: (long?)(i + 1), Candidate: e.GetProperty("char").GetString(), P: (double?)e.GetProperty("p").GetDouble())))
            .OrderBy(x => x.TrialId, StringComparer.Ordinal).ThenBy(x => x.Step).ThenBy(x => x.Rank).ToList();
        Assert.Equal(16 * 5, expected.Count); // 8 trials × 2 checkpoints × top-5
        Assert.Equal(expected, probes.Select(p => (p.TrialId, p.Checkpoint, p.Epoch, p.Step, p.Input, p.Predicted, p.Rank, p.Candidate, p.Probability))
            .OrderBy(x => x.TrialId, StringComparer.Ordinal).ThenBy(x => x.Step).ThenBy(x => x.Rank));

        var samples = ReportFolder.ReadCsv<SamplesCsv>(Path.Combine(report.First.OutDir, "samples.csv"));
        var dbSamples = c.Query<(string TrialId, string Checkpoint, string Prime, long Length, double Temperature, long TopK, long Seed, string Text, string CreatedAt)>(
            "SELECT s.trial_id, s.checkpoint, s.prime, s.length, s.temperature, s.top_k, s.seed, s.text, s.created_at FROM samples s JOIN sweep_trials st ON st.trial_id = s.trial_id WHERE st.sweep = @s ORDER BY st.ordinal",
            new { s = RealSweep.Sweep }).ToList();
        Assert.Equal(8, dbSamples.Count);
        Assert.Equal(dbSamples, samples.Select(s => (s.TrialId, s.Checkpoint, s.Prime, s.Length, s.Temperature, s.TopK, s.Seed, s.Text, s.CreatedAt)));
    }

    [Fact]
    public void A_second_run_writes_the_same_files_byte_for_byte()
    {
        Assert.Equal(report.First.Sweep, report.Second.Sweep); // the second run picked the sweep by itself (the only one)
        var first = ReportFolder.Hashes(report.First.OutDir);
        var second = ReportFolder.Hashes(report.Second.OutDir);
        Assert.Equal(first.Keys, second.Keys);
        Assert.All(first, kv => Assert.True(second[kv.Key] == kv.Value, $"{kv.Key} differs between runs"));
        Assert.Equal(first.Keys.Order(StringComparer.Ordinal),
            report.First.Files.Select(f => Path.GetRelativePath(report.First.OutDir, f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reporting_leaves_the_database_unchanged() => report.Before.AssertSameAs(report.After);

    private static double Best(List<IDictionary<string, object?>> summary, string cell, int h, int s) =>
        (double)summary.Single(r => (string)r["cell"]! == cell && (long)r["hidden"]! == h && (long)r["seq_len"]! == s)["best_val_loss"]!;

    private static string Loss(object? v) => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Visible(string s) => s.Replace("\n", "⏎").Replace("\t", "⇥").Replace(" ", "␠");

    /// <summary>The "### CELL" part of a section.</summary>
    private static string CellPart(string section, string cell)
    {
        var start = section.IndexOf($"\n### {cell.ToUpperInvariant()}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no ### {cell.ToUpperInvariant()} in the section");
        var end = section.IndexOf("\n### ", start + 5, StringComparison.Ordinal);
        var endPara = end < 0 ? section.Length : end;
        return section[start..endPara];
    }
}
