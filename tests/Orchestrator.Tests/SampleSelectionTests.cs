using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// `sample --trial` as a user types it: a prefix of an id (as git takes commits), or grid values;
/// what names no trial or several says so and lists them; and a copy of the results without its
/// checkpoint files says so in one line.
/// </summary>
[Collection("sweeps")]
public sealed class SampleSelectionTests : IDisposable
{
    private readonly TempDir _dir = new("sample-selection");
    private readonly StoreProbe _store;
    private readonly string _db;

    public SampleSelectionTests()
    {
        var spec = TinySweep.Write(_dir, "pick", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]"], epochs: 1, maxSteps: 4, checkpointEvery: 2, parallel: 2);
        var run = OrchestratorCli.Run(_dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());
        _db = _dir.File("results/orchestrator.db");
        _store = new StoreProbe(_db);
    }

    public void Dispose() => _dir.Dispose();

    private string Id(string cell, int hidden) =>
        _store.Query<string>("SELECT trial_id FROM trial_summary WHERE cell = @cell AND hidden = @hidden", new { cell, hidden }).Single();

    private long Samples(string trialId) => _store.Query<long>("SELECT COUNT(*) FROM samples WHERE trial_id = @trialId", new { trialId }).Single();

    [Fact]
    public void A_prefix_only_one_id_has_or_the_grid_values_pick_the_trial()
    {
        var lstm24 = Id("lstm", 24);
        var others = _store.Trials("pick").Select(t => t.TrialId).Where(t => t != lstm24).ToList();
        var prefix = lstm24[..(Enumerable.Range(1, 12).First(n => others.All(o => !o.StartsWith(lstm24[..n], StringComparison.Ordinal))))];
        var before = Samples(lstm24);

        var byPrefix = OrchestratorCli.Run(_dir.Path, "sample", "--trial", prefix, "--length", "10", "--seed", "1");
        Assert.True(byPrefix.ExitCode == 0, byPrefix.ToString());
        Assert.Contains($"sampled 10 characters from ckpt_1 of trial {lstm24} ", byPrefix.StdErr);

        var byGrid = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "cell=lstm, hidden=24.0", "--length", "10", "--seed", "2");
        Assert.True(byGrid.ExitCode == 0, byGrid.ToString());
        Assert.Contains($"sampled 10 characters from ckpt_1 of trial {lstm24} ", byGrid.StdErr);
        Assert.Equal(before + 2, Samples(lstm24));

        var byFullKey = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "model.cell=gru,model.hidden=16", "--length", "10");
        Assert.True(byFullKey.ExitCode == 0, byFullKey.ToString());
        Assert.Contains($"of trial {Id("gru", 16)} ", byFullKey.StdErr);
    }

    [Fact]
    public void A_selection_that_fits_several_trials_or_none_lists_what_there_is_and_samples_nothing()
    {
        // Two trials whose ids share a prefix, recorded as a standalone Runner records its trials (in no sweep).
        var trials = new TrialRepository(Database.Open(_db));
        var config = _store.Trials("pick")[0].ConfigJson;
        trials.Ensure("abcdef000001", config);
        trials.Ensure("abcdef000002", config);
        var samples = _store.Query<long>("SELECT COUNT(*) FROM samples").Single();

        var prefix = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "abcdef");
        Assert.Equal(2, prefix.ExitCode);
        Assert.Equal("error: --trial abcdef is ambiguous: 2 trials start with it: abcdef000001 (in no sweep), abcdef000002 (in no sweep); give more of the id\n", prefix.StdErr);

        var gru = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "cell=gru");
        Assert.Equal(2, gru.ExitCode);
        Assert.Equal($"error: --trial cell=gru is ambiguous: 2 trials have it: {Id("gru", 16)} (pick: gru hidden=16), {Id("gru", 24)} (pick: gru hidden=24); "
                     + "add grid values, or give an id\n", gru.StdErr);

        var none = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "cell=rnn,hidden=16");
        Assert.Equal(2, none.ExitCode);
        Assert.Equal($"error: no trial has cell=rnn,hidden=16 in {_db}; the values there: model.cell: gru, lstm; model.hidden: 16, 24\n", none.StdErr);

        var key = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "cell=gru,size=16");
        Assert.Equal(2, key.ExitCode);
        Assert.Equal($"error: --trial cell=gru,size=16: 'size' is not a grid key of any sweep in {_db}; the grid keys are model.cell, model.hidden\n", key.StdErr);

        var unknown = OrchestratorCli.Run(_dir.Path, "sample", "--trial", "fff999");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal($"error: no trial 'fff999' in {_db}: no id starts with it (`orchestrator status` lists the ids; --trial also takes grid values, e.g. cell=gru,hidden=128)\n",
            unknown.StdErr);
        Assert.Equal(samples, _store.Query<long>("SELECT COUNT(*) FROM samples").Single());
    }

    [Fact]
    public void A_copy_of_the_results_without_its_checkpoint_files_says_so_in_one_line()
    {
        var trial = Id("gru", 24);
        var copy = _dir.File("copy");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(_dir.File("results"))) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));

        var r = OrchestratorCli.Run(_dir.Path, "sample", "--trial", trial, "--results", copy);

        Assert.Equal(2, r.ExitCode);
        var checkpoints = _store.Checkpoints(trial).Count;
        Assert.Equal($"runner: error: none of the {checkpoints} checkpoint files of trial {trial} is here ({Path.Combine(copy, "checkpoints", trial)} holds none): "
                     + "is this a copy of the database without its checkpoints folder? Copy that folder too\n", r.StdErr);
        Assert.Equal("", r.StdOut);
    }
}
