using System.Diagnostics;
using Core.Config;
using Core.Contract;
using Core.Store;
using Runner.Checkpoints;
using Runner.Data;
using Runner.Inference;
using Runner.Model;
using Runner.Progress;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Runner.Training;

/// <summary>Everything one training run works with.</summary>
internal sealed record TrainingContext(
    string TrialId,
    TrialConfig Config,
    CharDataset Data,
    CharRnn Model,
    OptimizerHelper Optimizer,
    Device Device,
    CheckpointStore Checkpoints,
    ResultRepository Results,
    ITrainingObserver Observer,
    TimeSpan FlushInterval,
    string? Owner = null,
    EarlyStopping? EarlyStopping = null,
    Database? Store = null);

/// <summary>
/// The training loop, top to bottom: for each epoch, visit the shuffled batches (Adam, gradient
/// clipping, cross-entropy, one dispose scope per step), log the loss every log_every steps, then
/// validate, record the epoch's metrics and write <c>ckpt_&lt;epoch&gt;</c> (with its probe).
/// Optional <c>step_&lt;n&gt;</c> checkpoints every checkpoint_every steps, and one when a stop is requested.
/// With an early-stopping rule, each epoch end before the last asks it whether to go on (<see cref="Stopped"/>).
/// A step never waits for the device: its batch is cut there (<see cref="BatchPlan"/>), and losses and
/// correct counts stay there (<see cref="DeviceTally"/>) until a log step, a checkpoint or the epoch's
/// end reads them, and each read checks for divergence.
/// </summary>
internal sealed class Trainer
{
    private readonly TrainingContext _c;
    private readonly TrainConfig _train;
    private readonly BatchPlan _trainBatches;
    private readonly BatchPlan _valBatches;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly MetricBuffer _metrics;

    public Trainer(TrainingContext context)
    {
        _c = context;
        _train = context.Config.Train;
        _trainBatches = new BatchPlan(context.Data.Train, context.Config.Data.SeqLen, _train.BatchSize);
        _valBatches = new BatchPlan(context.Data.Val, context.Config.Data.SeqLen, _train.BatchSize);
        ResumeOrder.RequireModelParameters(context.Model, context.Optimizer); // never train tensors the model does not use
        _parameters = context.Model.parameters().ToList();
        _metrics = new MetricBuffer(context.Results, context.TrialId, context.FlushInterval, context.Owner, m => context.Observer.OnEvent(new WarningEvent(m)));
    }

    /// <summary>The early-stopping decision that ended the run (<see cref="TrainOutcome.Stopped"/>); null otherwise.</summary>
    public StopDecision? Stopped { get; private set; }

    /// <summary>Optimizer steps per epoch: every batch of the training split, capped by train.max_steps when it is set.</summary>
    public int StepsPerEpoch => _train.MaxSteps > 0 ? Math.Min(_train.MaxSteps, _trainBatches.Batches) : _trainBatches.Batches;

    public TrainOutcome Run(Position from, CancellationToken stop, CancellationToken leaseLost)
    {
        _c.Observer.OnEvent(new StartEvent(_c.TrialId, DeviceChoice.NameOf(_c.Device), _train.Epochs, StepsPerEpoch, from.Step));
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(stop, leaseLost);
        using var tally = new DeviceTally(_c.Device);
        try
        {
            return Train(from, stop, halt.Token, leaseLost, tally);
        }
        catch (LeaseLostException)
        {
            return TrainOutcome.LeaseLost;
        }
    }

    private TrainOutcome Train(Position from, CancellationToken stop, CancellationToken halt, CancellationToken leaseLost, DeviceTally tally)
    {
        var step = from.Step;
        for (var epoch = from.Epoch + 1; epoch <= _train.Epochs; epoch++)
        {
            var resumed = epoch == from.Epoch + 1;
            var stats = resumed ? from.Partial : new EpochStats();
            var secondsBefore = stats.Seconds;
            var epochClock = Stopwatch.StartNew();
            var order = _trainBatches.Shuffled(_train.Seed, epoch);
            var (eventChars, eventClock) = (0L, Stopwatch.StartNew());
            var (unreadChars, unreadSince) = (0L, Stopwatch.GetTimestamp());

            for (var batch = resumed ? from.BatchInEpoch : 0; batch < StepsPerEpoch; batch++)
            {
                unreadChars += TrainStep(order, batch, tally);
                step++;
                var logDue = step % _train.LogEvery == 0;
                var checkpointDue = _train.CheckpointEvery > 0 && step % _train.CheckpointEvery == 0 && batch + 1 < StepsPerEpoch;
                if (!logDue && !checkpointDue && !halt.IsCancellationRequested && batch + 1 < StepsPerEpoch) continue;

                var (losses, correct) = tally.Read();
                ThrowIfDiverged(losses, step, epoch);
                stats = stats.Add(losses, correct, unreadChars, Stopwatch.GetElapsedTime(unreadSince).TotalSeconds);
                eventChars += unreadChars;
                unreadChars = 0;

                if (logDue)
                {
                    _metrics.Add(MetricNames.TrainLoss, step, null, losses[^1]);
                    if (!halt.IsCancellationRequested) _metrics.FlushIfDue(epoch - 1, step); // else the checkpoint below flushes, or the lease is gone
                    _c.Observer.OnEvent(new StepEvent(epoch, step, losses[^1], eventChars / eventClock.Elapsed.TotalSeconds));
                    (eventChars, eventClock) = (0L, Stopwatch.StartNew());
                }
                var here = new Position(epoch - 1, step, batch + 1, stats with { Seconds = secondsBefore + epochClock.Elapsed.TotalSeconds });
                if (halt.IsCancellationRequested)
                {
                    Checkpoint($"step_{step}", here, leaseLost);
                    return TrainOutcome.Interrupted;
                }
                // The database has not answered the buffer for longer than the outage window: save the step reached and stop.
                if (_metrics.Away > OutageWindow) SaveDuringOutage($"step_{step}", here, new DatabaseOutageException(_c.Store?.Path ?? "the database", OutageWindow, _metrics.LastError!));
                if (checkpointDue) Checkpoint($"step_{step}", here, leaseLost);
                unreadSince = Stopwatch.GetTimestamp();
            }

            var (valLoss, valError) = Evaluate();
            var seconds = secondsBefore + epochClock.Elapsed.TotalSeconds;
            _metrics.Add(MetricNames.EpochTrainLoss, step, epoch, stats.MeanLoss);
            _metrics.Add(MetricNames.TrainError, step, epoch, stats.Error);
            _metrics.Add(MetricNames.ValLoss, step, epoch, valLoss);
            _metrics.Add(MetricNames.ValError, step, epoch, valError);
            _metrics.Add(MetricNames.CharsPerSec, step, epoch, stats.CharsPerSecond);
            _metrics.Add(MetricNames.EpochSeconds, step, epoch, seconds);
            _c.Observer.OnEvent(new EpochEvent(epoch, step, stats.MeanLoss, stats.Error, valLoss, valError, stats.CharsPerSecond, seconds));

            Checkpoint($"ckpt_{epoch}", new Position(epoch, step, 0, new EpochStats()), leaseLost);
            if (epoch < _train.Epochs && _c.EarlyStopping is { } rule)
            {
                var value = rule.Rule.Metric switch
                {
                    MetricNames.ValError => valError,
                    MetricNames.EpochTrainLoss => stats.MeanLoss,
                    MetricNames.TrainError => stats.Error,
                    _ => valLoss,
                };
                if (rule.Decide(_c.TrialId, epoch, value) is { Stop: true } decision)
                {
                    Stopped = decision;
                    _c.Observer.Log(decision.Describe());
                    return TrainOutcome.Stopped;
                }
            }
            if (stop.IsCancellationRequested && epoch < _train.Epochs) return TrainOutcome.Interrupted;
        }
        return TrainOutcome.Completed;
    }

    /// <summary>One optimizer step on one batch, queued on the device; its loss and correct count go to the tally. Returns the batch's characters.</summary>
    private long TrainStep(int[] order, int batch, DeviceTally tally)
    {
        using var scope = torch.NewDisposeScope();
        _c.Model.train();
        var (inputs, targets) = _trainBatches.Batch(order, batch, _c.Device);
        var logits = _c.Model.call(inputs);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, _c.Data.Vocab.Size), targets.reshape(-1));
        _c.Optimizer.zero_grad();
        loss.backward();
        if (_train.ClipNorm > 0) nn.utils.clip_grad_norm_(_parameters, _train.ClipNorm);
        _c.Optimizer.step();
        tally.Add(loss, logits.argmax(-1).eq(targets).sum());
        return targets.numel();
    }

    /// <summary>
    /// Fails the trial at the first NaN or infinite loss among <paramref name="losses"/>, the steps up
    /// to <paramref name="lastStep"/>, after writing the metrics recorded before it.
    /// </summary>
    private void ThrowIfDiverged(double[] losses, long lastStep, int epoch)
    {
        var bad = Array.FindIndex(losses, l => !double.IsFinite(l));
        if (bad < 0) return;
        var step = lastStep - losses.Length + 1 + bad;
        _metrics.Flush(epoch - 1, step - 1);
        _c.Observer.Log($"loss is {losses[bad]} at step {step}: the trial diverged");
        throw new DivergedException(step, losses[bad]);
    }

    /// <summary>Mean loss and error rate per character over the validation split (train.val_batches caps it), read from the device once.</summary>
    private (double Loss, double Error) Evaluate()
    {
        _c.Model.eval();
        using var noGrad = torch.no_grad();
        using var sums = torch.NewDisposeScope();
        var order = _valBatches.InOrder();
        var batches = _train.ValBatches > 0 ? Math.Min(_train.ValBatches, _valBatches.Batches) : _valBatches.Batches;
        var lossSum = torch.zeros([], float64, _c.Device);
        var correct = torch.zeros([], int64, _c.Device);
        long chars = 0;
        for (var batch = 0; batch < batches; batch++)
        {
            using var scope = torch.NewDisposeScope();
            var (inputs, targets) = _valBatches.Batch(order, batch, _c.Device);
            var logits = _c.Model.call(inputs);
            var losses = nn.functional.cross_entropy(logits.reshape(-1, _c.Data.Vocab.Size), targets.reshape(-1), reduction: nn.Reduction.None);
            lossSum.add_(losses.to(float64).sum());
            correct.add_(logits.argmax(-1).eq(targets).sum());
            chars += targets.numel();
        }
        _c.Model.train();
        var read = torch.stack([lossSum, correct.to(float64)]).cpu().data<double>().ToArray();
        return (read[0] / chars, 1.0 - read[1] / chars);
    }

    /// <summary>
    /// Metrics first, then the probe, then the file and its row: whatever a crash interrupts, the newest
    /// recorded checkpoint has everything before it recorded. The one lease check of the loop: once
    /// another owner holds the trial, nothing more is written and the run ends.
    /// </summary>
    private void Checkpoint(string name, Position at, CancellationToken leaseLost)
    {
        if (leaseLost.IsCancellationRequested) throw new LeaseLostException();
        var (probe, probeRow) = RunProbe(name, at);
        var meta = MetaOf(name, at);
        CheckpointRow? saved;
        try
        {
            _metrics.Flush(at.Epoch, at.Step);
            _c.Results.RecordProbe(probeRow);
            saved = _c.Checkpoints.Save(meta, _c.Model, _c.Optimizer, _c.Owner);
        }
        catch (DatabaseOutageException e)
        {
            throw new OutageInterruptedException(e, _c.Checkpoints.WriteFile(meta, _c.Model, _c.Optimizer), probeRow, [.. _metrics.Pending]);
        }
        if (saved is null) throw new LeaseLostException();
        _c.Observer.OnEvent(new CheckpointEvent(name, at.Step));
        _c.Observer.Log($"{name} at step {at.Step}: after \"{probe.Input}\" the model predicts '{Vocabulary.Printable(probe.Predicted[0])}' " +
                        $"({string.Join(", ", probe.Top.Select(t => $"'{Vocabulary.Printable(t.Char[0])}' {t.P:0.###}"))})");
    }

    /// <summary>How long the database may stay away before the run stops: the store's outage window.</summary>
    private TimeSpan OutageWindow => _c.Store?.Outage.Window ?? OutagePolicy.DefaultWindow;

    /// <summary>
    /// Past the outage window: writes checkpoint <paramref name="name"/>'s file (not its row: the database is away)
    /// and ends the run with what could not be recorded (<see cref="OutageInterruptedException"/>).
    /// </summary>
    private void SaveDuringOutage(string name, Position at, DatabaseOutageException outage)
    {
        var (_, probeRow) = RunProbe(name, at);
        throw new OutageInterruptedException(outage, _c.Checkpoints.WriteFile(MetaOf(name, at), _c.Model, _c.Optimizer), probeRow, [.. _metrics.Pending]);
    }

    private (ProbeResult Probe, ProbeRow Row) RunProbe(string name, Position at)
    {
        var probe = Probe.Run(_c.Model, _c.Data.Vocab, _c.Config.Probe.Text, _c.Config.Probe.TopK, _c.Device);
        return (probe, new ProbeRow
        {
            TrialId = _c.TrialId, Checkpoint = name, Input = probe.Input, Step = at.Step, Epoch = at.Epoch,
            Predicted = probe.Predicted, TopJson = probe.TopJson,
        });
    }

    private CheckpointMeta MetaOf(string name, Position at) => new()
    {
        TrialId = _c.TrialId, Name = name, Position = at, Vocab = _c.Data.Vocab.Chars, ConfigJson = _c.Config.ToCanonicalJson(),
        Device = DeviceChoice.NameOf(_c.Device), CreatedAt = Timestamps.Now(),
    };
}
