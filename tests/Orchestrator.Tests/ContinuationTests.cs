using System.Text;
using System.Text.Json;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// Train longer (issue 14 §1): raising <c>train.epochs</c> continues each completed trial from its
/// newest epoch checkpoint instead of retraining it, and on the CPU ends bit-identical to the same
/// trial trained for the new budget from the start; lowering it trains nothing. `run` and `--dry-run`
/// say what the edit does, and `status --all` lists the trials that left the spec.
/// </summary>
[Collection("sweeps")]
public sealed class ContinuationTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public void Raising_epochs_continues_from_ckpt_3_and_ends_bit_identical_to_training_4_epochs_from_the_start(Backend backend)
    {
        using var db = TestStore.Create(backend, "grow");
        var dir = db.Dir;
        var store = new StoreProbe(db);
        ProcessResult Cli(params string[] args) => OrchestratorCli.Run(dir.Path, [.. args, .. db.DbOption]);
        // hidden 24 is dropped from the edited spec, hidden 32 added: one trial of each kind.
        var spec = TinySweep.Write(dir, "grow", ["model.hidden: [16, 24]"], epochs: 3, parallel: 1);

        var first = Cli("run", spec);
        Assert.True(first.ExitCode == 0, first.ToString());
        var three = store.Trials("grow");
        Assert.All(three, t => Assert.Equal((TrialStates.Completed, 3), (t.State, t.Epoch)));
        var source = three[0]; // hidden 16
        var sourceMetrics = AllMetrics(store, source.TrialId);

        TinySweep.Write(dir, "grow", ["model.hidden: [16, 32]"], epochs: 4, parallel: 1);
        var dry = Cli("run", spec, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var rows = DryRunTests.Rows(dry.StdOut);
        Assert.Equal([$"from {source.TrialId} ckpt_3", "3/4"], rows[0][3..5]);
        Assert.Equal(["new", "-"], rows[1][3..5]);
        // The estimate: one epoch left of the continued trial at its recorded speed, four of the new one measured now.
        Assert.EndsWith("(recorded)", rows[0][^1]);
        Assert.EndsWith("(measured)", rows[1][^1]);
        Assert.Contains("estimate: 2 trial(s) to train, 7.7 k characters;", dry.StdOut);
        Assert.Contains("basis: 1 trial(s) at the speed of completed trials of the same shape in the database (3 recorded epochs", dry.StdOut);
        string[] plan =
        [
            "1 trial: 1 continue from ckpt_3 to epoch 4",
            "1 trial left the spec (their results stay in the database; `status --all` lists them)",
            "1 new",
        ];
        Assert.All(plan, line => Assert.Contains(line, dry.StdOut));

        var grown = Cli("run", spec);
        Assert.True(grown.ExitCode == 0, grown.ToString());
        Assert.Contains("sweep grow: 2 trials (1 new; 0 completed, 0 failed, 0 running, 2 pending)", grown.StdOut);
        Assert.All(plan, line => Assert.Contains(line, grown.StdOut));
        var four = store.Trials("grow");
        var continued = four[0];
        Assert.Equal(source.TrialId, continued.ExtendsTrialId);
        Assert.Matches($@"{continued.TrialId} .*.*resumed at step 36 of 48", grown.StdOut);
        Assert.All(four, t => Assert.Equal((TrialStates.Completed, 4, 1), (t.State, t.Epoch, t.Attempt)));
        // Epochs 1–3 keep their original values and times; the sweep lists the trial once, with all four epochs.
        var continuedMetrics = AllMetrics(store, continued.TrialId);
        Assert.Equal(sourceMetrics, continuedMetrics.Where(m => m.Step <= 36).ToList());
        Assert.Equal([1, 2, 3, 4], store.Metrics(continued.TrialId, MetricNames.ValLoss).Select(m => m.Epoch ?? 0));
        Assert.Equal(0, store.DuplicateMetricKeys());
        Assert.Equal(2, store.Query<long>("SELECT COUNT(*) FROM trial_summary WHERE sweep = 'grow'").Single());
        Assert.Equal(4L, store.Query<long>("SELECT epochs_done FROM trial_summary WHERE trial_id = @id", new { id = continued.TrialId }).Single());

        StatusListsWhatLeft(Cli, source.TrialId, three[1].TrialId, continued.TrialId);

        // The same trial trained for 4 epochs from the start (same corpus file), in a store and results folder of its own:
        // the same id, and bit for bit the same.
        using var fresh = TestStore.Create(backend, "grow-fresh");
        var freshSpec = TinySweep.Write(dir, "grow", ["model.hidden: [16]"], epochs: 4, parallel: 1, file: "fresh.yaml");
        var scratch = OrchestratorCli.Run(dir.Path, ["run", freshSpec, .. fresh.DbOption, "--results", fresh.Results]);
        Assert.True(scratch.ExitCode == 0, scratch.ToString());
        var freshStore = new StoreProbe(fresh);
        Assert.Equal(continued.TrialId, freshStore.Trials("grow")[0].TrialId);
        Assert.Equal(Values(AllMetrics(freshStore, continued.TrialId).Where(m => m.Step > 36)), Values(continuedMetrics.Where(m => m.Step > 36)));
        Assert.Equal(Ckpt4(db, store, continued.TrialId), Ckpt4(fresh, freshStore, continued.TrialId));
        const string finalSample = "SELECT text FROM samples WHERE trial_id = @id AND checkpoint = 'ckpt_4'";
        Assert.Equal(freshStore.Query<string>(finalSample, new { id = continued.TrialId }), store.Query<string>(finalSample, new { id = continued.TrialId }));
        // The continued trial keeps the sample of the trial it continues, at ckpt_3.
        Assert.Equal(store.Query<string>("SELECT text FROM samples WHERE trial_id = @id", new { id = source.TrialId }),
            store.Query<string>("SELECT text FROM samples WHERE trial_id = @id AND checkpoint = 'ckpt_3'", new { id = continued.TrialId }));

        // Lowering the budget trains nothing: the first two epochs of what is recorded.
        TinySweep.Write(dir, "grow", ["model.hidden: [16]"], epochs: 2, parallel: 1);
        var shorter = Cli("run", spec);
        Assert.True(shorter.ExitCode == 0, shorter.ToString());
        Assert.Contains("1 trial: 1 use the first 2 epochs of trials trained for 3 (nothing to train", shorter.StdOut);
        Assert.DoesNotContain("claimed", shorter.StdOut);
        var two = Assert.Single(store.Trials("grow"));
        Assert.Equal((TrialStates.Completed, 2, source.TrialId), (two.State, two.Epoch, two.ExtendsTrialId));
        Assert.Equal(sourceMetrics.Where(m => m.Step <= 24).ToList(), AllMetrics(store, two.TrialId));
    }

    private static void StatusListsWhatLeft(Func<string[], ProcessResult> cli, string source, string dropped, string continued)
    {
        var status = cli(["status", "grow"]);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("2 trial(s) left sweep grow (its spec no longer plans them); `orchestrator status grow --all` lists them", status.StdOut);
        Assert.DoesNotContain(dropped, status.StdOut);

        var all = cli(["status", "grow", "--all"]);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("sweep grow: 2 trial(s) that left the spec (their results stay in the database)", all.StdOut);
        Assert.Matches($@"{source} .*completed .*3/3 .*continued by {continued}", all.StdOut);
        Assert.Matches($@"{dropped} .*completed .*3/3", all.StdOut);

        var json = cli(["status", "grow", "--all", "--json"]);
        var departed = JsonDocument.Parse(json.StdOut).RootElement.GetProperty("sweeps")[0].GetProperty("departed").EnumerateArray().ToList();
        Assert.Equal(new[] { source, dropped }.Order(), departed.Select(d => d.GetProperty("trial_id").GetString()!).Order());
        Assert.Equal(continued, departed.Single(d => d.GetProperty("trial_id").GetString() == source).GetProperty("continued_by").GetString());
    }

    private static List<(string Name, long Step, int? Epoch, double Value, double WallTime)> AllMetrics(StoreProbe store, string trialId) =>
        store.Query<MetricRow>("SELECT * FROM metrics WHERE trial_id = @trialId ORDER BY name, step", new { trialId })
            .Select(m => (m.Name, m.Step, m.Epoch, m.Value, m.WallTime)).ToList();

    /// <summary>What must be the same bit for bit: every metric's value (times differ; chars/s and epoch seconds are timings).</summary>
    private static List<(string, long, double)> Values(IEnumerable<(string Name, long Step, int? Epoch, double Value, double WallTime)> metrics) =>
        metrics.Where(m => m.Name is not (MetricNames.CharsPerSec or MetricNames.EpochSeconds)).Select(m => (m.Name, m.Step, m.Value)).ToList();

    /// <summary>The tensors of the trial's ckpt_4 file (model, optimizer, RNG sections), without its metadata (which holds its time).</summary>
    private static string Ckpt4(TestStore store, StoreProbe probe, string trialId)
    {
        var row = probe.Checkpoints(trialId).Single(c => c.Name == "ckpt_4");
        var path = Path.Combine(store.Results, row.Path); // relative to the results folder, which holds the SQLite file too
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        Assert.Equal("CRNNCKPT", Encoding.ASCII.GetString(r.ReadBytes(8)));
        r.ReadInt32();
        r.ReadString();
        var sections = Enumerable.Range(0, 3).Select(_ => r.ReadBytes((int)r.ReadInt64())).ToList();
        Assert.All(sections, s => Assert.NotEmpty(s));
        return string.Join("/", sections.Select(Convert.ToHexString));
    }
}
