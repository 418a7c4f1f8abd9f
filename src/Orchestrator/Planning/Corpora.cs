using Core.Config;
using Core.Data;
using Core.Spec;
using Core.Store;

namespace Orchestrator.Planning;

/// <summary>
/// Makes sure the corpus of every trial still to run is on disk and verified (downloading it once
/// if needed) before any Runner starts, so a missing corpus stops a run at once instead of failing
/// every trial for good.
/// </summary>
internal static class Corpora
{
    /// <summary>Ensures each distinct corpus of the sweep's pending and running trials; throws <see cref="CorpusException"/> naming what is wrong.</summary>
    public static async Task<IReadOnlyList<CorpusFile>> EnsureAsync(Database db, SweepSpec spec, Action<string> log, CancellationToken ct)
    {
        var toRun = new TrialRepository(db).ListForSweep(spec.Name)
            .Where(t => t.State is TrialStates.Pending or TrialStates.Running).Select(t => t.TrialId).ToHashSet();
        var corpora = spec.Trials.Where(t => toRun.Contains(t.Id))
            .Select(t => new DataConfig { Path = t.Config.Data.Path, Url = t.Config.Data.Url, Sha256 = t.Config.Data.Sha256 })
            .Distinct().ToList();
        using var http = new HttpClient();
        var files = new List<CorpusFile>();
        foreach (var data in corpora)
        {
            var file = await new CorpusStep(http).EnsureAsync(data, log, ct).ConfigureAwait(false);
            if (file.Downloaded) log($"downloaded the corpus to {file.Path} (sha256 {file.Sha256})");
            files.Add(file);
        }
        CheckSplits(spec, toRun, files);
        return files;
        }

    /// <summary>Throws <see cref="CorpusException"/> when a trial's validation split would be shorter than one sequence (<see cref="CorpusSplit"/>).</summary>
    private static void CheckSplits(SweepSpec spec, HashSet<string> toRun, IReadOnlyList<CorpusFile> files)
    {
        var lengths = files.ToDictionary(f => f.Path, f => File.ReadAllText(f.Path).Length);
        var problems = spec.Trials.Where(t => toRun.Contains(t.Id))
            .Select(t => (t.Id, Problem: lengths.TryGetValue(Path.GetFullPath(t.Config.Data.Path), out var n) ? CorpusSplit.Problem(Path.GetFullPath(t.Config.Data.Path), n, t.Config.Data) : null))
            .Where(p => p.Problem is not null).ToList();
        if (problems.Count > 0)
            throw new CorpusException($"{problems[0].Problem} (trial {problems[0].Id}" + (problems.Count > 1 ? $" and {problems.Count - 1} more" : "") + ")");
    }
}
