using Core.Config;
using Core.Contract;
using Core.Data;
using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Runner.Model;
using Runner.Tests.Support;
using Runner.Training;
using TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Tests;

/// <summary>Tests that train in the test process; they use torch's global generator and threads, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessTraining
{
    public const string Name = "in-process training";
}

/// <summary>
/// Resume on a GPU: TorchSharp's <c>Module.load</c> moves a module that is not on the CPU to the CPU
/// and back, which replaces its parameter tensors. An optimizer built before the load then holds
/// tensors the model no longer uses. These tests make the load replace the parameters on the CPU,
/// through the same <c>Module._to</c> path, so the trap shows without a GPU.
/// </summary>
[Collection(InProcessTraining.Name)]
public sealed class ResumeOrderTests : IDisposable
{
    private readonly TempDir _dir = new("runner-resume-order");
    private readonly int _threads = torch.get_num_threads();

    public ResumeOrderTests() => torch.set_num_threads(1); // as the Runner processes of the other tests: fast on a busy machine

    public void Dispose()
    {
        torch.set_num_threads(_threads);
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_resume_whose_weight_load_replaces_the_parameters_as_a_device_round_trip_does_trains_every_parameter()
    {
        var trial = new TinyTrial { CorpusPath = _dir.File("corpus.txt"), Epochs = 2, MaxSteps = 30, LogEvery = 5, SampleLength = 40 };
        File.WriteAllText(_dir.File("corpus.txt"), Corpora.Generate(ReferenceRun.CorpusChars));
        File.WriteAllText(_dir.File("trial.yaml"), trial.ToYaml());
        var config = SpecLoader.LoadTrial(_dir.File("trial.yaml"));

        var uninterrupted = Database.Open(_dir.File("a/o.db"));
        Assert.Equal(TrainOutcome.Completed, (await Train(uninterrupted, config, stopAtStep: null)).Outcome);

        var resumed = Database.Open(_dir.File("b/o.db"));
        Assert.Equal(TrainOutcome.Interrupted, (await Train(resumed, config, stopAtStep: 20)).Outcome);
        Assert.Equal(["step_20"], new ResultRepository(resumed).Checkpoints(config.Id()).Select(c => c.Name));
        var log = new List<string>();
        Assert.Equal(TrainOutcome.Completed, (await Train(resumed, config, stopAtStep: null, log, (m, v) => new ReplacesParametersOnLoad(m, v))).Outcome);

        Assert.Contains(log, l => l.StartsWith($"resuming trial {config.Id()} from step_20", StringComparison.Ordinal));
        Assert.Equal(ReferenceRun.EpochMetrics(uninterrupted.Path, config.Id()), ReferenceRun.EpochMetrics(resumed.Path, config.Id()));
        Assert.Equal(ReferenceRun.TrainLoss(uninterrupted.Path, config.Id()), ReferenceRun.TrainLoss(resumed.Path, config.Id()));
        Assert.Equal(new ResultRepository(uninterrupted).Samples(config.Id()).Single().Text, new ResultRepository(resumed).Samples(config.Id()).Single().Text);
    }

    [Fact]
    public void The_stand_in_load_replaces_parameters_as_the_device_round_trip_does()
    {
        using var saved = new CharRnn(new ModelConfig { Cell = "gru", Embedding = 8, Hidden = 16 }, 12);
        var state = new MemoryStream();
        saved.save(state);
        using var model = new ReplacesParametersOnLoad(saved.Config, 12);
        var before = model.parameters().Select(p => p.Handle).ToList();

        model.load(new MemoryStream(state.ToArray()));

        Assert.NotEqual(before, model.parameters().Select(p => p.Handle));
    }

    [Fact]
    public void An_optimizer_built_before_the_parameters_were_replaced_is_refused_naming_what_it_misses()
    {
        using var model = new CharRnn(new ModelConfig { Cell = "gru", Embedding = 8, Hidden = 16 }, 12);
        using var optimizer = ResumeOrder.Apply(model, checkpoint: null, CPU, lr: 0.01);
        ResumeOrder.RequireModelParameters(model, optimizer);

        model.to(ScalarType.Float64).to(ScalarType.Float32); // what Module.load does to a model on a GPU

        var e = Assert.Throws<InvalidOperationException>(() => ResumeOrder.RequireModelParameters(model, optimizer));
        Assert.Contains("the optimizer does not fit the model's parameters: it does not hold dense.weight, dense.bias (7 tensors against the model's 7)", e.Message);
    }

    [Fact]
    public void An_optimizer_over_the_model_s_live_parameter_list_is_refused_once_its_state_keys_are_stale()
    {
        using var model = new CharRnn(new ModelConfig { Cell = "gru", Embedding = 8, Hidden = 16 }, 12);
        using var optimizer = optim.Adam(model.parameters(), 0.01); // Adam then re-reads model.parameters(), but keyed its state by the tensors of the moment
        ResumeOrder.RequireModelParameters(model, optimizer);

        model.to(ScalarType.Float64).to(ScalarType.Float32);

        var e = Assert.Throws<InvalidOperationException>(() => ResumeOrder.RequireModelParameters(model, optimizer));
        Assert.Contains("its state is keyed by tensors that are no longer the model's", e.Message);
    }

    private static async Task<TrialRunResult> Train(Database db, TrialConfig config, long? stopAtStep, List<string>? log = null, Func<ModelConfig, int, CharRnn>? newModel = null)
    {
        new TrialRepository(db).Ensure(config.Id(), config.ToCanonicalJson());
        using var stop = new CancellationTokenSource();
        var observer = new Observer(e => { if (e is StepEvent s && s.Step == stopAtStep) stop.Cancel(); }, log ?? []);
        using var http = new HttpClient();
        var run = new TrialRun(db, new CorpusStep(http), observer, TimeSpan.Zero, newModel);
        return await run.ExecuteAsync(config.Id(), config, CPU, stop.Token, CancellationToken.None);
    }

    /// <summary>
    /// A CharRnn whose weight load ends by replacing parameter tensors, as <c>Module.load</c> does to a
    /// module on a GPU. A float64 round trip goes through the same <c>Module._to</c> replacement on the CPU
    /// and keeps the float32 values exactly.
    /// </summary>
    private sealed class ReplacesParametersOnLoad(ModelConfig config, int vocabSize) : CharRnn(config, vocabSize)
    {
        public override nn.Module load(BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
        {
            base.load(reader, strict, skip, loadedParameters);
            this.to(ScalarType.Float64).to(ScalarType.Float32);
            return this;
        }
    }

    private sealed class Observer(Action<RunnerEvent> onEvent, List<string> log) : ITrainingObserver
    {
        public void OnEvent(RunnerEvent e) => onEvent(e);
        public void Log(string message) => log.Add(message);
    }
}
