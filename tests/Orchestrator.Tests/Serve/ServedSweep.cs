using Core.Contract;
using Core.Spec;
using Core.Store;
using Orchestrator.Planning;
using TestSupport;

namespace Orchestrator.Tests.Serve;

/// <summary>
/// A sweep recorded through the store's own write path (the plan's registration, a claim, the
/// Runner's metric batches, a failure, a sample), without training: four trials, one completed
/// with curves, a checkpoint, probe and sample, one failed with <paramref name="failure"/>, two pending.
/// </summary>
internal static class ServedSweep
{
    public const string Owner = "test:1:1:5e7e";

    public sealed record Recorded(string Completed, string Failed, int TrainSteps);

    /// <param name="hidden">The grid's two hidden sizes: sweeps with other sizes share no trial.</param>
    public static Recorded Write(Database db, TempDir dir, string name, string failure = "crashed: the test says so", string sample = "JULIET: a sample",
        int trainSteps = 3000, string hidden = "16, 24")
    {
        var spec = SpecLoader.Load(TinySweep.Write(dir, name, ["model.cell: [gru, lstm]", $"model.hidden: [{hidden}]"], file: name + ".yaml"));
        SweepPlan.Register(db, spec);
        var trials = new TrialRepository(db);
        var results = new ResultRepository(db);
        var done = trials.ClaimNext(name, Owner, TimeSpan.FromHours(1))!.TrialId;
        var now = Timestamps.UnixNow();
        var rows = Enumerable.Range(1, trainSteps).Select(s => new MetricRow(done, MetricNames.TrainLoss, s, null, 4.0 / Math.Sqrt(s), now)).ToList();
        for (var e = 1; e <= 2; e++)
        {
            rows.Add(new MetricRow(done, MetricNames.ValLoss, trainSteps * e / 2, e, 3.0 - e * 0.25, now));
            rows.Add(new MetricRow(done, MetricNames.ValError, trainSteps * e / 2, e, 0.8 - e * 0.05, now));
        }
        results.WriteMetrics(rows, (done, 2, trainSteps));
        results.RecordCheckpoint(new CheckpointRow { TrialId = done, Name = "ckpt_1", Epoch = 1, Step = trainSteps / 2, Path = "checkpoints/x", Sha256 = "0", Bytes = 1, CreatedAt = Timestamps.Now() });
        results.RecordProbe(new ProbeRow { TrialId = done, Checkpoint = "ckpt_1", Input = "peo", Step = trainSteps / 2, Epoch = 1, Predicted = "p", TopJson = """[{"char":"p","p":0.41},{"char":"<","p":0.2}]""" });
        results.RecordSample(new SampleRow { TrialId = done, Checkpoint = "ckpt_1", Prime = "JULIET", Length = sample.Length, Temperature = 0.8, Seed = 1, Text = sample, CreatedAt = Timestamps.Now() });
        Assert.True(trials.Complete(done, Owner));
        var failed = trials.ClaimNext(name, Owner, TimeSpan.FromHours(1))!.TrialId;
        Assert.True(trials.Fail(failed, Owner, new AttemptEnd(1, failure, FailureKind.Crashed, "stderr: " + failure)));
        return new Recorded(done, failed, trainSteps);
    }
}
