using Core.Config;
using Core.Contract;
using Core.Data;
using Core.Store;
using Runner.Checkpoints;
using Runner.Data;
using Runner.Inference;
using Runner.Model;
using Runner.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Training;

/// <summary>What a trial run produced: how training ended, where it stopped, and the final sample when it completed.</summary>
internal sealed record TrialRunResult(TrainOutcome Outcome, long Step, string? Sample, StopDecision? Stop = null);

/// <summary>
/// One trial from config to sample: check the config, fetch and split the corpus, build the model
/// on the CPU, resume from the newest checkpoint that verifies (forgetting what a lost run recorded
/// after it) in the order of <see cref="ResumeOrder"/>, record the architecture, train, and sample
/// from the final checkpoint. <paramref name="newModel"/> builds the model (tests use it to stand in
/// for a device); by default a <see cref="CharRnn"/>. With an owner, what training writes is fenced
/// (<see cref="MetricBuffer"/>): a run whose trial another owner took writes nothing more.
/// </summary>
internal sealed class TrialRun(Database db, CorpusStep corpus, ITrainingObserver observer, TimeSpan flushInterval, Func<ModelConfig, int, CharRnn>? newModel = null)
{
    private readonly Func<ModelConfig, int, CharRnn> _newModel = newModel ?? ((config, vocabSize) => new CharRnn(config, vocabSize));
    private readonly ResultRepository _results = new(db);
    private readonly TrialRepository _trials = new(db);
    private readonly CheckpointStore _checkpoints = new(db);

    /// <param name="earlyStopping">The rule that may stop the trial at an epoch end; null: train the whole budget.</param>
    public async Task<TrialRunResult> ExecuteAsync(string trialId, TrialConfig config, Device device, CancellationToken stop, CancellationToken leaseLost, string? owner = null,
        EarlyStopping? earlyStopping = null)
    {
        var problems = TrialConfigValidator.Validate(config);
        if (problems.Count > 0)
            throw new BadInputException($"the config of trial {trialId} is invalid: {string.Join("; ", problems)}");

        CorpusFile corpusFile;
        try { corpusFile = await corpus.EnsureAsync(config.Data, observer.Log, stop); }
        catch (CorpusException e) { throw new BadInputException(e.Message); }
        var data = CharDataset.Load(corpusFile.Path, config.Data);
        data.Vocab.Require(config.Probe.Text, "probe.text");
        data.Vocab.Require(config.Sample.Prime, "sample.prime");

        torch.manual_seed(config.Train.Seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(config.Train.Seed); // dropout on the GPU draws from the CUDA generator
        using var model = _newModel(config.Model, data.Vocab.Size);
        var checkpoint = NewestCheckpoint(trialId, data.Vocab);
        using var optimizer = ResumeOrder.Apply(model, checkpoint?.File, device, config.Train.Lr);
        var from = checkpoint?.File.Meta.Position ?? Position.Start;
        if (checkpoint is { } c) observer.Log($"resuming trial {trialId} from {c.Row.Name} (epoch {from.Epoch}, step {from.Step})");

        _results.RecordArchitecture(trialId, ArchitectureSummary.Of(model, trialId, config.Train.BatchSize));
        _results.ForgetAfter(trialId, from.Step);
        _trials.Progress(trialId, from.Epoch, from.Step, DeviceChoice.NameOf(device), model.ParameterCount(), data.Vocab.Size);
        observer.Log($"trial {trialId}: {config.Model.Cell} {config.Model.Layers}×{config.Model.Hidden}, embedding {config.Model.Embedding}, " +
                     $"vocabulary {data.Vocab.Size}, {model.ParameterCount():N0} parameters " +
                     $"({ArchitectureSummary.Megabytes(model.ParameterCount()):0.00} MB), device {DeviceChoice.NameOf(device)}, " +
                     (from.Step > 0 ? $"resuming at step {from.Step}" : "starting at step 0"));

        var trainer = new Trainer(new TrainingContext(trialId, config, data, model, optimizer, device, _checkpoints, _results, observer, flushInterval, owner, earlyStopping, db));
        var outcome = trainer.Run(from, stop, leaseLost);
        var step = _trials.Get(trialId)?.Step ?? from.Step;
        if (outcome != TrainOutcome.Completed) return new TrialRunResult(outcome, step, null, trainer.Stopped);

        var sample = config.Sample;
        var text = Sampler.Generate(model, data.Vocab, new SampleRequest(sample.Prime, sample.Length, sample.Temperature, sample.TopK, sample.Seed), device);
        _results.RecordSample(new SampleRow
        {
            TrialId = trialId, Checkpoint = $"ckpt_{config.Train.Epochs}", Prime = sample.Prime, Length = sample.Length,
            Temperature = sample.Temperature, TopK = sample.TopK, Seed = sample.Seed, Text = text, CreatedAt = Timestamps.Now(),
        });
        return new TrialRunResult(outcome, step, text);
    }

    /// <summary>The newest checkpoint that verifies, if its vocabulary is the corpus's; null when there is none.</summary>
    private (CheckpointRow Row, CheckpointFile File)? NewestCheckpoint(string trialId, Vocabulary vocab)
    {
        if (_checkpoints.NewestValid(trialId, m => observer.OnEvent(new WarningEvent(m))) is not { } found) return null;
        var (row, file) = found;
        if (file.Meta.Vocab != vocab.Chars)
            throw new BadInputException($"checkpoint {row.Name} of trial {trialId} was trained on a vocabulary of {file.Meta.Vocab.Length} characters, " +
                                        $"but the corpus now has {vocab.Size} different ones; the corpus changed (set data.sha256 to pin it)");
        return found;
    }
}
