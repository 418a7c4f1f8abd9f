using Core.Store;
using Microsoft.Data.Sqlite;
using Reporting.Tests.Support;
using TestSupport;

namespace Reporting.Tests;

/// <summary>Sweeps that are not finished: running, pending and failed trials are shown as such and never break the report.</summary>
public sealed class PartialSweepTests : IDisposable
{
    private const string Reason = "diverged at step 37\nloss was NaN | see `stderr`";
    private readonly TempDir _dir = new("report-partial");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private (Database Db, List<SyntheticStore.Trial> Trials) Build(Func<int, SyntheticStore.Trial, SyntheticStore.Trial> shape)
    {
        var path = _dir.File("results/orchestrator.db");
        var store = new SyntheticStore(Database.Open(path));
        var trials = SyntheticStore.Grid(["gru", "lstm"], [32, 64], [8, 16], epochs: 4, logEvery: 5).Select((t, i) => shape(i, t)).ToList();
        store.Register("partial", trials);
        foreach (var t in trials) store.Record(t, stepsPerEpoch: 20);
        SqliteConnection.ClearAllPools();
        return (Database.OpenReadOnly(path), trials);
    }

    [Fact]
    public void Running_pending_and_failed_trials_are_listed_with_their_state_and_reason_and_left_out_of_comparisons()
    {
        var (db, trials) = Build((i, t) => i switch
        {
            1 => t with { State = TrialStates.Running, EpochsDone = 2 },
            2 => t with { State = TrialStates.Pending, EpochsDone = 0 },
            5 => t with { State = TrialStates.Failed, EpochsDone = 3, Failure = Reason },
            6 => t with { State = TrialStates.Pending, EpochsDone = 1, Failure = "interrupted by SIGTERM" },
            _ => t,
        });
        var before = DbSnapshot.Of(db.Path);
        var result = new ReportWriter(db).Write("partial", _dir.File("out"), CancellationToken.None);
        DbSnapshot.Of(db.Path).AssertSameAs(before);
        var md = File.ReadAllText(result.ReportPath);

        Assert.Contains("**8 trials**: 4 completed, 1 running, 2 pending, 1 failed.", md);
        Assert.Contains($"| `{trials[1].Id}` | gru | 32 | 16 | running: 2 of 4 epochs done, step 40 | 2 / 4 |", md);
        Assert.Contains($"| `{trials[2].Id}` | gru | 64 | 8 | pending | 0 / 4 |", md);
        Assert.Contains($"| `{trials[6].Id}` | lstm | 64 | 8 | pending (attempt 1 stopped at epoch 1: interrupted by SIGTERM) | 1 / 4 |", md);
        Assert.Contains($"| `{trials[5].Id}` | lstm | 32 | 16 | failed (exit 3): diverged at step 37 loss was NaN \\| see \\`stderr\\` |", md);
        Assert.Contains($"- `{trials[5].Id}` (lstm · hidden 32 · seq\\_len 16): exit 3, `` diverged at step 37 ⏎ loss was NaN | see `stderr` ``", md);

        // Curves show unfinished trials, marked; tables mark values "so far" in italics; findings count completed trials only.
        var curves = ReportFolder.Section(md, 5);
        Assert.Contains("| gru | 32 | 16 | running: 2 of 4 epochs done, step 40 | *", curves);
        Assert.Contains("*Italic*: the configuration has not completed", curves);
        Assert.Contains("| gru | 64 | 8 | pending | — | — |", curves);
        var findings = ReportFolder.Section(md, 8);
        Assert.Contains("- Based on the 4 completed trials of 8, covering 4 of 8 configurations; not included: 1 running, 2 pending, 1 failed.", findings);
        Assert.Contains("(unbalanced: not every configuration has completed)", findings);
        var comparison = ReportFolder.Section(md, 6);
        Assert.Contains("| 32 | 16 | — / — |", comparison);     // gru running, lstm failed: no comparison
        Assert.Contains("Over 2 completed matched pairs", comparison);

        foreach (var link in ReportFolder.ImageLinks(md))
            Png.Size(File.ReadAllBytes(Path.Combine(result.OutDir, link)));
        var trialsCsv = ReportFolder.ReadCsv<TrialsCsv>(Path.Combine(result.OutDir, "trials.csv"));
        Assert.Equal(["completed", "running", "pending", "completed", "completed", "failed", "pending", "completed"], trialsCsv.Select(r => r.State));
        Assert.Equal(Reason, trialsCsv[5].Failure);
    }

    [Fact]
    public void A_trial_stopped_early_is_listed_with_its_decision_its_partial_curve_marked_and_left_out_of_comparisons()
    {
        var (db, trials) = Build((i, t) => i == 3 ? t with { State = TrialStates.Stopped, EpochsDone = 2 } : t);
        var result = new ReportWriter(db).Write("partial", _dir.File("out"), CancellationToken.None);
        var md = File.ReadAllText(result.ReportPath);

        Assert.Contains("**8 trials**: 7 completed, 1 stopped.", md);
        Assert.Contains($"| 3 | `{trials[3].Id}` | gru | 64 | 16 | stopped early at epoch 2 of 4 (median: val\\_loss 2.7500 \\> 2.5000) | 2 / 4 |", md);
        Assert.Contains($"- `{trials[3].Id}` (gru · hidden 64 · seq\\_len 16): stopped at epoch 2 by the median rule: val\\_loss 2.75 is worse than the median 2.5 of 3 other trial(s) at epoch 2", md);
        Assert.Contains("| gru · hidden 64 · seq\\_len 16 (stopped) |", md); // its partial curve, marked
        Assert.Contains("not included: 1 stopped.", ReportFolder.Section(md, 8));
        Assert.Equal("stopped", ReportFolder.ReadCsv<TrialsCsv>(Path.Combine(result.OutDir, "trials.csv"))[3].State);
    }

    [Fact]
    public void A_sweep_where_nothing_has_run_yet_gets_a_report_whose_sections_say_there_is_no_data()
    {
        var (db, _) = Build((_, t) => t with { State = TrialStates.Pending, EpochsDone = 0 });
        var result = new ReportWriter(db).Write(null, _dir.File("out"), CancellationToken.None);
        var md = File.ReadAllText(result.ReportPath);
        Assert.Contains("**8 trials**: 8 pending.", md);
        Assert.Contains("No gru trial has recorded its architecture yet (2 pending)".Replace("(2", "(4"), ReportFolder.Section(md, 1));
        Assert.Contains("No trial has recorded a training loss yet.", ReportFolder.Section(md, 2));
        Assert.Contains("No trial has finished an epoch yet, so there are no error rates.", ReportFolder.Section(md, 3));
        Assert.Contains("No checkpoint has been probed yet.", ReportFolder.Section(md, 4));
        Assert.Contains("GRU: no validation loss recorded yet.", ReportFolder.Section(md, 5));
        Assert.Contains("No matched pair has completed both GRU and LSTM yet.", ReportFolder.Section(md, 6));
        Assert.Contains("No trial has recorded a sample yet.", ReportFolder.Section(md, 7));
        Assert.Contains("No trial has completed yet (8 pending), so there are no findings.", ReportFolder.Section(md, 8));
        Assert.Empty(ReportFolder.ImageLinks(md));
        Assert.Equal(6, result.Files.Count); // report.md, tables.tex and the four CSVs
        Assert.Equal(["trial_id,cell,hidden,seq_len,seed,name,step,epoch,value,wall_time"], File.ReadAllLines(Path.Combine(result.OutDir, "metrics.csv")));
    }

    [Fact]
    public void A_sweep_of_one_cell_type_says_there_is_nothing_to_compare()
    {
        var path = _dir.File("one/orchestrator.db");
        var store = new SyntheticStore(Database.Open(path));
        var trials = SyntheticStore.Grid(["rnn"], [32, 64], [8], epochs: 3, logEvery: 5);
        store.Register("rnn-only", trials);
        foreach (var t in trials) store.Record(t, stepsPerEpoch: 20);
        SqliteConnection.ClearAllPools();
        var result = new ReportWriter(Database.OpenReadOnly(path)).Write(null, null, CancellationToken.None);
        var md = File.ReadAllText(result.ReportPath);
        Assert.Contains("## 6. Cell types compared", md);
        Assert.Contains("The sweep has only rnn trials; there is nothing to compare.", md);
        Assert.Contains("## 5. Hidden size", md);
        Assert.DoesNotContain("heatmap", md); // one factor besides the cell type: no hidden × seq_len grid
    }
}
