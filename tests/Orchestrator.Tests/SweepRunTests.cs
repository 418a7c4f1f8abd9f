using System.Text.Json;
using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

[CollectionDefinition("sweeps", DisableParallelization = true)]
public sealed class SweepCollection;

/// <summary>
/// A whole sweep with the real Runner, on each engine: every trial trains once, `status`, `query`,
/// `sample` and `report` show the results, running again does nothing, and an edited spec adds only
/// its new trials. On PostgreSQL every command gets the database as a user passes it (<c>--db URL</c>).
/// </summary>
[Collection("sweeps")]
public sealed class SweepRunTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void A_sweep_runs_every_trial_once_and_rerunning_an_edited_spec_runs_only_the_new_trials(Backend backend)
    {
        using var db = TestStore.Create(backend, "sweep-run");
        var dir = db.Dir;
        var spec = TinySweep.Write(dir, "tiny", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"]);
        var store = new StoreProbe(db);
        ProcessResult Cli(params string[] args) => OrchestratorCli.Run(dir.Path, [.. args, .. db.DbOption]);

        var first = Cli("run", spec);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("sweep tiny: 4 trials (4 new;", first.StdOut);
        Assert.Contains("sweep tiny: 4 completed, 0 failed, 0 pending, 0 running (of 4)", first.StdOut);
        var trials = store.Trials("tiny");
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialStates.Completed, t.State);
            Assert.Equal(1, t.Attempt);
            Assert.Equal(2, t.Epoch);
            Assert.Equal(24, t.Step);
            Assert.Equal(["completed"], store.Attempts(t.TrialId).Select(a => a.Outcome));
            Assert.Contains("ckpt_2", store.Checkpoints(t.TrialId).Select(c => c.Name));
            Assert.Equal(2, store.Metrics(t.TrialId, MetricNames.ValLoss).Count);
            Assert.Matches($@"{t.TrialId} .*: started on cpu, 24 steps", first.StdOut);
        });
        Assert.Equal(0, store.DuplicateMetricKeys());

        // The same command again: nothing to do, nothing rerun.
        var again = Cli("run", spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("sweep tiny: 4 trials (0 new; 4 completed,", again.StdOut);
        Assert.DoesNotContain("claimed", again.StdOut);
        Assert.All(store.Trials("tiny"), t => Assert.Equal(1, t.Attempt));

        // Edit the spec: one more hidden size. The dry run and the run see only its two trials as new.
        TinySweep.Write(dir, "tiny", ["model.cell: [gru, lstm]", "model.hidden: [16, 24, 32]"]);
        var dry = Cli("run", spec, "--dry-run");
        var rows = DryRunTests.Rows(dry.StdOut);
        Assert.Equal(6, rows.Count);
        Assert.Equal(4, rows.Count(r => r[4] == "completed" && r[5] == "2/2" && r[6] == "24"));
        Assert.Equal(["32", "32"], rows.Where(r => r[4] == "new").Select(r => r[3]));

        var edited = Cli("run", spec);
        Assert.True(edited.ExitCode == 0, edited.ToString());
        Assert.Contains("sweep tiny: 6 trials (2 new; 4 completed,", edited.StdOut);
        Assert.Equal(2, Regex.Matches(edited.StdOut, @": claimed \(attempt 1\)").Count);
        Assert.Equal(2, Regex.Matches(edited.StdOut, @"hidden=32: claimed").Count);
        Assert.All(store.Trials("tiny"), t => Assert.Equal((TrialStates.Completed, 1), (t.State, t.Attempt)));

        StatusShowsTheSweep(Cli, db, store);
        QueryReadsTheSummary(Cli);
        SampleGeneratesText(Cli, store, store.Trials("tiny")[0].TrialId);
        ReportIsWritten(Cli, dir);
    }

    private static void ReportIsWritten(Func<string[], ProcessResult> cli, TempDir dir)
    {
        var r = cli(["report"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var report = dir.File("results/tiny/report.md");
        Assert.Contains($"report of sweep tiny: {report}", r.StdOut);
        Assert.Contains("lstm", File.ReadAllText(report));
        Assert.True(File.Exists(dir.File("results/tiny/trials.csv")));

        var elsewhere = cli(["report", "tiny", "--out", "out/report"]);
        Assert.True(elsewhere.ExitCode == 0, elsewhere.ToString());
        Assert.True(File.Exists(dir.File("out/report/report.md")));

        var unknown = cli(["report", "nope"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no sweep named 'nope'", unknown.StdErr);

        // Two sweeps are compared (the comparison itself: Reporting.Tests' ComparisonReportTests); bad input is refused.
        foreach (var (args, error) in new[]
        {
            (new[] { "report", "tiny", "tiny" }, "error: report tiny tiny: give two different sweeps to compare"),
            (["report", "tiny", "nope"], "error: no sweep named 'nope'"),
            (["report", "a", "b", "c"], "error: report takes one sweep, or two to compare; got 3: a b c"),
            (["report", "tiny", "--format", "png,gif"], "error: --format png,gif: 'gif' is not a figure format; give one or more of png, svg, pdf separated by commas (e.g. png,svg)"),
        })
        {
            var refused = cli(args);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains(error, refused.StdErr);
        }
        Assert.False(Directory.Exists(dir.File("results/tiny-vs-tiny")));
    }

    private static void StatusShowsTheSweep(Func<string[], ProcessResult> cli, TestStore db, StoreProbe store)
    {
        var table = cli(["status", "tiny"]);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("sweep tiny: 6 completed, 0 running, 0 pending, 0 failed (of 6); grid: model.cell, model.hidden", table.StdOut);
        Assert.Matches(@"trial\s+grid\s+state\s+attempt\s+epoch\s+step\s+best val loss\s+chars/s", table.StdOut);
        foreach (var t in store.Trials("tiny"))
            Assert.Matches($@"{t.TrialId}\s+(gru|lstm) hidden=\d+\s+completed\s+1\s+2/2\s+24\s+\d\.\d{{4}} \(ep \d\)\s+[\d,]+", table.StdOut);

        var json = cli(["status", "--json"]);
        Assert.True(json.ExitCode == 0, json.ToString());
        var sweep = JsonDocument.Parse(json.StdOut).RootElement.GetProperty("sweeps")[0];
        Assert.Equal("tiny", sweep.GetProperty("name").GetString());
        Assert.Equal(6, sweep.GetProperty("counts").GetProperty("completed").GetInt32());
        foreach (var t in sweep.GetProperty("trials").EnumerateArray())
        {
            Assert.Equal("completed", t.GetProperty("state").GetString());
            Assert.Equal(24, t.GetProperty("step").GetInt32());
            Assert.True(t.GetProperty("best_val_loss").GetDouble() > 0);
            Assert.True(t.GetProperty("chars_per_sec").GetDouble() > 0);
            Assert.Contains(t.GetProperty("grid").GetProperty("model.cell").GetString(), new[] { "gru", "lstm" });
        }

        var unknown = cli(["status", "nope"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains($"no sweep named 'nope' in {db.Db}; sweeps there: tiny", unknown.StdErr);
    }

    private static void QueryReadsTheSummary(Func<string[], ProcessResult> cli)
    {
        var r = cli(["query",
            "SELECT cell, hidden, state, epochs_done, CASE WHEN best_val_loss IS NOT NULL THEN 1 ELSE 0 END AS has_best FROM trial_summary WHERE sweep = 'tiny' ORDER BY cell, hidden",
            "--format", "csv"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            ["cell,hidden,state,epochs_done,has_best", "gru,16,completed,2,1", "gru,24,completed,2,1", "gru,32,completed,2,1",
             "lstm,16,completed,2,1", "lstm,24,completed,2,1", "lstm,32,completed,2,1"],
            r.StdOut.TrimEnd('\n').Split('\n'));

        var duplicates = cli(["query", "SELECT trial_id, name, step, COUNT(*) FROM metrics GROUP BY 1,2,3 HAVING COUNT(*) > 1", "--format", "json"]);
        Assert.True(duplicates.ExitCode == 0, duplicates.ToString());
        Assert.Equal(0, JsonDocument.Parse(duplicates.StdOut).RootElement.GetArrayLength());
    }

    private static void SampleGeneratesText(Func<string[], ProcessResult> cli, StoreProbe store, string trialId)
    {
        var r = cli(["sample", "--trial", trialId, "--checkpoint", "ckpt_1", "--prime", "JULIET", "--length", "40", "--temperature", "0.5"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("JULIET", r.StdOut);
        Assert.True(r.StdOut.TrimEnd('\n').Length >= "JULIET".Length + 40, r.ToString());
        Assert.Contains(r.StdOut.TrimEnd('\n'), store.Query<string>("SELECT text FROM samples WHERE trial_id = @trialId AND checkpoint = 'ckpt_1'", new { trialId }));

        var missing = cli(["sample", "--trial", "000000000000"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no trial '000000000000'", missing.StdErr);
    }
}
