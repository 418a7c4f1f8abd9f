using Core.Contract;
using Core.Store;
using Runner.Checkpoints;
using Runner.Data;
using Runner.Inference;
using Runner.Model;
using Runner.Runtime;
using TorchSharp;

namespace Runner.Cli;

/// <summary>
/// <c>runner sample --db DB --trial ID [--checkpoint NAME] [--prime TEXT] [--length N]
/// [--temperature T] [--top-k K] [--seed S] [--device D] [--threads N]</c>: prints text generated
/// from a verified checkpoint (default: the newest that verifies) and records it. Unset options
/// come from the trial's sample section.
/// </summary>
internal static class SampleCommand
{
    public const string Usage = """
        runner sample --db DB [--results DIR] --trial ID [--checkpoint NAME] [--prime TEXT] [--length N] [--temperature T] [--top-k K] [--seed S] [--device auto|cpu|cuda] [--threads N]
        """;

    private static readonly string[] Options = [.. StoreArguments.Options, "trial", "checkpoint", "prime", "length", "temperature", "top-k", "seed", "device", "threads"];

    public static int Run(IReadOnlyList<string> args)
    {
        var observer = new ConsoleObserver();
        var a = RunnerArguments.Parse(args, Options);
        var storeArguments = StoreArguments.From(a);
        var location = RunnerStore.Resolve(storeArguments);
        var trialId = a.Require("trial");
        if (a.Int("threads", min: 1) is { } threads) torch.set_num_threads(threads);
        var device = DeviceChoice.Resolve(a.Get("device") ?? "cpu");
        var db = Database.OpenExisting(location, RunnerStore.Results(storeArguments));
        var trial = new TrialRepository(db).Get(trialId) ?? throw new UsageException($"no trial '{trialId}' in {db.Path}");
        var defaults = trial.Config.Sample;
        var request = new SampleRequest(
            a.Get("prime") ?? defaults.Prime,
            a.Int("length", min: 0) ?? defaults.Length,
            a.Double("temperature", min: 0, exclusive: true) ?? defaults.Temperature,
            a.Int("top-k", min: 0) ?? defaults.TopK,
            a.Long("seed") ?? defaults.Seed);

        var store = new CheckpointStore(db);
        var results = new ResultRepository(db);
        CheckpointRow row;
        CheckpointFile file;
        if (a.Get("checkpoint") is { } name)
        {
            var rows = results.Checkpoints(trialId);
            row = rows.FirstOrDefault(r => r.Name == name)
                  ?? throw new BadInputException($"trial {trialId} has no checkpoint '{name}'" +
                                                 (rows.Count == 0 ? " (it has none yet)" : $"; it has {string.Join(", ", rows.Select(r => r.Name))}"));
            file = store.Read(row);
        }
        else
        {
            var rows = results.Checkpoints(trialId);
            // A copy of the database without its checkpoints folder: say so once, not once per checkpoint.
            if (rows.Count > 0 && rows.All(r => !File.Exists(db.Resolve(r.Path))))
                throw new BadInputException($"none of the {rows.Count} checkpoint files of trial {trialId} is here ({store.FolderOf(trialId)} holds none): "
                                            + "is this a copy of the database without its checkpoints folder? Copy that folder too");
            (row, file) = store.NewestValid(trialId, observer.Log)
                          ?? throw new BadInputException(rows.Count == 0 ? $"trial {trialId} has no checkpoint yet; train it first"
                                                                         : $"none of the {rows.Count} checkpoints of trial {trialId} can be used (the lines above say why)");
        }

        var vocab = new Vocabulary(file.Meta.Vocab);
        using var model = new CharRnn(trial.Config.Model, vocab.Size);
        file.LoadModel(model);
        model.to(device);
        var text = Sampler.Generate(model, vocab, request, device);
        results.RecordSample(new SampleRow
        {
            TrialId = trialId, Checkpoint = row.Name, Prime = request.Prime, Length = request.Length, Temperature = request.Temperature,
            TopK = request.TopK, Seed = request.Seed, Text = text, CreatedAt = Timestamps.Now(),
        });
        Console.Out.WriteLine(text);
        var libtorch = LoadedLibtorch.Describe() is { } loaded ? $"{loaded.Describe()} in {loaded.Folder}" : "unknown";
        observer.Log($"sampled {request.Length} characters from {row.Name} of trial {trialId} (temperature {request.Temperature}, top-k {request.TopK}, seed {request.Seed}) "
                     + $"on {DeviceChoice.NameOf(device)} with libtorch {libtorch}");
        return RunnerExitCode.Done;
    }
}
