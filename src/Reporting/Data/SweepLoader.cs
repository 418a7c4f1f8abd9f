using Core.Config;
using Core.Store;

namespace Reporting.Data;

/// <summary>Reads a sweep and everything its trials recorded through the Core repositories (reads only).</summary>
internal static class SweepLoader
{
    public static SweepData Load(Database db, SweepRow sweep, CancellationToken ct)
    {
        var sweeps = new SweepRepository(db);
        var trials = new TrialRepository(db);
        var results = new ResultRepository(db);
        var rows = trials.ListForSweep(sweep.Name).ToDictionary(t => t.TrialId, StringComparer.Ordinal);
        var list = new List<TrialData>();
        foreach (var member in sweeps.Members(sweep.Name).OrderBy(m => m.Ordinal).ThenBy(m => m.TrialId, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (!rows.TryGetValue(member.TrialId, out var trial)) continue;
            TrialConfig config;
            try { config = TrialConfig.FromJson(trial.ConfigJson); }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
            {
                throw new ReportException($"trial {trial.TrialId} of sweep '{sweep.Name}' has a config_json that does not parse: {e.Message}");
            }
            list.Add(new TrialData(member, trial, config, results.Metrics(trial.TrialId), results.Checkpoints(trial.TrialId),
                results.Probes(trial.TrialId), results.Samples(trial.TrialId), results.Architecture(trial.TrialId), trials.Attempts(trial.TrialId)));
        }
        return new SweepData(sweep, db.Name, list, SweepClock.LastChange(sweep, list));
    }
}
