using Core.Spec;
using Core.Store;
using TestSupport;

namespace Core.Tests;

/// <summary>The spec's <c>early_stopping:</c> key: read, checked with file:line:col, kept out of trial identity; and the rules' arithmetic.</summary>
public sealed class EarlyStoppingSpecTests : IDisposable
{
    private readonly TempDir dir = new("early-stopping");

    public void Dispose() => dir.Dispose();

    private const string Base = """
        name: es
        model: { hidden: 32 }
        train: { epochs: 9 }
        grid:
          train.lr: [0.003, 0.00001]

        """;

    private SweepSpec Load(string extra) => SpecLoader.Load(dir.Write("es.yaml", Base + extra));

    private static string Problems(Action load) => Assert.Throws<SpecException>(load).Message;

    [Fact]
    public void Reads_the_rule_with_its_defaults_and_leaves_trial_ids_as_they_were()
    {
        var median = Load("early_stopping: { rule: median, metric: val_loss, grace_epochs: 2 }\n");
        var asha = Load("early_stopping:\n  rule: asha\n  reduction_factor: 4\n");
        var none = Load("");

        Assert.Equal(new EarlyStoppingConfig("median", "val_loss", 2, MinPeers: 3), median.EarlyStopping);
        Assert.Equal(new EarlyStoppingConfig("asha", "val_loss", 1, ReductionFactor: 4), asha.EarlyStopping);
        Assert.Null(none.EarlyStopping);
        Assert.Equal(none.Trials.Select(t => t.Id), median.Trials.Select(t => t.Id));
        Assert.Equal(none.Trials.Select(t => t.Id), asha.Trials.Select(t => t.Id));
    }

    [Theory]
    [InlineData("early_stopping: { rule: mediam }", "es.yaml:6:25: early_stopping.rule: must be one of median, asha, got 'mediam'")]
    [InlineData("early_stopping: { metric: val_loss }", "es.yaml:6:17: early_stopping.rule: is required: median or asha")]
    [InlineData("early_stopping: { rule: median, metric: accuracy }", "es.yaml:6:41: early_stopping.metric: must be one of val_loss, val_error, epoch_train_loss, train_error, got 'accuracy'")]
    [InlineData("early_stopping: { rule: median, grace_epochs: 0 }", "es.yaml:6:47: early_stopping.grace_epochs: must be at least 1, got 0")]
    [InlineData("early_stopping: { rule: median, min_peers: two }", "es.yaml:6:44: early_stopping.min_peers: must be a whole number, got 'two'")]
    [InlineData("early_stopping: { rule: asha, reduction_factor: 1 }", "es.yaml:6:49: early_stopping.reduction_factor: must be at least 2, got 1")]
    [InlineData("early_stopping: { rule: median, reduction_factor: 3 }", "es.yaml:6:33: early_stopping.reduction_factor: applies to rule: asha only")]
    [InlineData("early_stopping: { rule: asha, min_peers: 3 }", "es.yaml:6:31: early_stopping.min_peers: applies to rule: median only")]
    [InlineData("early_stopping: { rule: median, grace: 1 }", "es.yaml:6:33: early_stopping.grace: unknown key; valid keys: rule, metric, grace_epochs, min_peers, reduction_factor")]
    [InlineData("early_stopping: median", "es.yaml:6:17: early_stopping: must be a mapping")]
    [InlineData("early_stoping: { rule: median }", "es.yaml:6:1: early_stoping: unknown section; did you mean 'early_stopping'?")]
    public void Bad_input_is_located_and_says_what_would_be_right(string line, string expected)
    {
        var message = Problems(() => Load(line + "\n"));
        Assert.Contains(expected, message.Replace(dir.Path + "/", ""));
    }

    [Fact]
    public void A_single_trial_file_refuses_early_stopping()
    {
        var path = dir.Write("trial.yaml", "model: { hidden: 32 }\nearly_stopping: { rule: median }\n");
        Assert.Contains("trial.yaml:2:1: early_stopping: belongs to a sweep spec", Problems(() => SpecLoader.LoadTrial(path)));
    }

    [Fact]
    public void The_median_rule_waits_for_min_peers_then_stops_what_is_worse_than_their_median()
    {
        var rule = new EarlyStoppingConfig("median", GraceEpochs: 2, MinPeers: 3);
        Assert.False(EarlyStopping.IsDecisionEpoch(rule, 1));
        Assert.True(EarlyStopping.IsDecisionEpoch(rule, 2));
        Assert.True(EarlyStopping.IsDecisionEpoch(rule, 5));
        Assert.Null(EarlyStopping.Judge(rule, 2, 9.0, [1.0, 2.0]));
        var stop = EarlyStopping.Judge(rule, 2, 2.6, [1.0, 2.0, 3.0, 2.5])!;
        Assert.Equal((true, 2.25, 4), (stop.Stop, stop.Threshold, stop.Peers));
        Assert.False(EarlyStopping.Judge(rule, 2, 2.2, [1.0, 2.0, 3.0, 2.5])!.Stop);
    }

    [Fact]
    public void Asha_decides_at_its_rungs_and_keeps_the_best_part_of_those_that_reached_one()
    {
        var rule = new EarlyStoppingConfig("asha", GraceEpochs: 1, ReductionFactor: 3);
        Assert.Equal([1, 3, 9], Enumerable.Range(1, 10).Where(e => EarlyStopping.IsDecisionEpoch(rule, e)));
        // Alone at a rung, a trial goes on: the cut-off is its own value.
        Assert.False(EarlyStopping.Judge(rule, 1, 5.0, [])!.Stop);
        // Of four values the best third goes on: cut-off at the 1/3 quantile, 1 + (2 - 1) · 0 = … between order statistics.
        var worse = EarlyStopping.Judge(rule, 3, 4.0, [1.0, 2.0, 3.0])!;
        Assert.Equal((true, 2.0, 3), (worse.Stop, worse.Threshold, worse.Peers));
        Assert.False(EarlyStopping.Judge(rule, 3, 1.5, [1.0, 2.0, 3.0])!.Stop);
    }
}

/// <summary>The rule as it travels to a Runner (<c>runner train --sweep NAME --early-stopping …</c>).</summary>
public sealed class EarlyStoppingArgumentTests
{
    [Fact]
    public void The_rule_goes_to_the_runner_and_back_unchanged()
    {
        var rule = new EarlyStoppingConfig("asha", "val_error", 2, 3, 4);
        var line = new Core.Contract.TrainCommandLine { Trial = "abc", Owner = "o", Sweep = "s1", EarlyStopping = rule };
        var back = Core.Contract.TrainCommandLine.Parse(line.ToArguments().Skip(1).ToList());
        Assert.Equal(("s1", rule), (back.Sweep, back.EarlyStopping));
    }

    [Theory]
    [InlineData(new[] { "--trial", "a", "--early-stopping", "median,val_loss,1,3,3" }, "--early-stopping needs --sweep NAME")]
    [InlineData(new[] { "--trial", "a", "--sweep", "s", "--early-stopping", "median,val_loss,0,3,3" }, "--early-stopping must be RULE,METRIC,GRACE,MIN_PEERS,REDUCTION_FACTOR")]
    public void A_bad_rule_is_a_usage_error(string[] args, string message) =>
        Assert.StartsWith(message, Assert.Throws<Core.Contract.UsageException>(() => Core.Contract.TrainCommandLine.Parse(args)).Message);
}
