using System.Text.Json;
using Core.Contract;
using Core.Store;

namespace Orchestrator.Serve;

/// <summary>A trial page: its config, state, where it ran, every attempt, checkpoints with the probe's answers, samples, layers.</summary>
internal sealed record TrialPage(
    string TrialId, IReadOnlyList<string> Sweeps, string State, int Attempt, int Epoch, long Step,
    JsonElement Config, string? Failure, string? FailureKind, string? StderrTail, TrialPlace Place,
    IReadOnlyList<AttemptRow> Attempts, IReadOnlyList<CheckpointView> Checkpoints, IReadOnlyList<SampleRow> Samples,
    IReadOnlyList<ArchitectureRow> Architecture);

/// <summary>Where a trial ran last: the host (from its owner), device, GPU, libtorch and CUDA versions.</summary>
internal sealed record TrialPlace(string? Host, string? Device, string? GpuName, string? LibtorchVersion, string? CudaVersion, long? Params);

/// <summary>A checkpoint with what its probes predicted (the most likely characters first).</summary>
internal sealed record CheckpointView(string Name, int Epoch, long Step, long Bytes, string CreatedAt, IReadOnlyList<ProbeView> Probes);

internal sealed record ProbeView(string Input, string Predicted, JsonElement Top);

/// <summary>Builds a trial's page from the store's read queries (<see cref="TrialRepository"/>, <see cref="ResultRepository"/>).</summary>
internal sealed class TrialViews(Database db)
{
    /// <summary>The trial's page; null when the store has no such trial.</summary>
    public TrialPage? Trial(string trialId)
    {
        var trials = new TrialRepository(db);
        if (trials.Get(trialId) is not { } t) return null;
        var results = new ResultRepository(db);
        var probes = results.Probes(trialId).ToLookup(p => p.Checkpoint);
        var checkpoints = results.Checkpoints(trialId).OrderBy(c => c.Step).Select(c => new CheckpointView(c.Name, c.Epoch, c.Step, c.Bytes, c.CreatedAt,
            probes[c.Name].Select(p => new ProbeView(p.Input, p.Predicted, Json(p.TopJson))).ToList())).ToList();
        var attempts = trials.Attempts(trialId);
        var owner = attempts.LastOrDefault()?.Owner ?? t.Owner;
        var place = new TrialPlace(OwnerToken.ProcessOf(owner)?.Host, t.Device, t.GpuName, t.LibtorchVersion, t.CudaVersion, t.Params);
        return new TrialPage(t.TrialId, new SeriesReader(db).SweepsOf(trialId), t.State, t.Attempt, t.Epoch, t.Step, Json(t.ConfigJson),
            t.Failure, t.FailureKind, t.StderrTail, place, attempts, checkpoints, results.Samples(trialId), results.Architecture(trialId));
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}
