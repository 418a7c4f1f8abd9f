using System.Globalization;
using Core.Config;
using Core.Spec;
using Core.Store;

namespace Orchestrator.Planning;

/// <summary>
/// What registering a spec does to its sweep, per kind of trial: which planned trials are new, which
/// continue a recorded trial of the sweep that differs only in a larger <c>train.epochs</c> (from its
/// <c>ckpt_N</c>), which take the first epochs of one with a larger budget (nothing to train), and
/// which members leave the sweep. Computed from the store before anything is written, so
/// <c>--dry-run</c> and <c>run</c> say the same.
/// </summary>
internal sealed record EditPlan(
    IReadOnlyDictionary<string, TrialExtension> Extensions,
    IReadOnlyDictionary<string, int> FromEpochs,
    int New,
    IReadOnlyList<string> Left)
{
    public static readonly EditPlan Empty = new(new Dictionary<string, TrialExtension>(), new Dictionary<string, int>(), 0, []);

    /// <summary>The plan of <paramref name="spec"/> against what <paramref name="db"/> holds of its sweep (null: no store yet, all new).</summary>
    public static EditPlan Of(SweepSpec spec, Database? db)
    {
        if (db is null) return Empty with { New = spec.Trials.Select(t => t.Id).Distinct().Count() };
        var trials = new TrialRepository(db);
        var results = new ResultRepository(db);
        var sweeps = new SweepRepository(db);
        var recorded = sweeps.TrialsEverIn(spec.Name);
        var planned = spec.Trials.Select(t => t.Id).ToHashSet();
        // Completed trials of the sweep, by everything but their epochs.
        var byShape = recorded.Where(t => t.State == TrialStates.Completed)
            .Select(t => (Row: t, Config: t.Config))
            .GroupBy(t => ShapeOf(t.Config))
            .ToDictionary(g => g.Key, g => g.ToList());

        var extensions = new Dictionary<string, TrialExtension>();
        var fromEpochs = new Dictionary<string, int>();
        var isNew = 0;
        foreach (var t in spec.Trials.DistinctBy(t => t.Id))
        {
            if (trials.Get(t.Id) is not null) continue;
            var want = t.Config.Train.Epochs;
            var candidates = byShape.GetValueOrDefault(ShapeOf(t.Config)) ?? [];
            // Prefer the longest recorded budget up to the new one (least to train), else the shortest longer one.
            var source = candidates.Where(c => c.Config.Train.Epochs < want).OrderByDescending(c => c.Config.Train.Epochs)
                .Concat(candidates.Where(c => c.Config.Train.Epochs > want).OrderBy(c => c.Config.Train.Epochs))
                .Select(c => (c.Row, Epochs: c.Config.Train.Epochs))
                .FirstOrDefault(c => results.Checkpoints(c.Row.TrialId).Any(k => k.Name == $"ckpt_{Math.Min(c.Epochs, want)}"));
            if (source.Row is null)
            {
                isNew++;
                continue;
            }
            extensions[t.Id] = new TrialExtension(source.Row.TrialId, Math.Min(source.Epochs, want), Complete: source.Epochs > want);
            fromEpochs[t.Id] = source.Epochs;
        }
        var members = sweeps.Members(spec.Name).Select(m => m.TrialId).ToList();
        var continued = extensions.Values.Select(e => e.FromTrialId).ToHashSet();
        var left = members.Where(m => !planned.Contains(m) && !continued.Contains(m)).ToList();
        return new EditPlan(extensions, fromEpochs, isNew, left);
    }

    /// <summary>The config without its epochs: two trials of the same shape differ only in their budget.</summary>
    private static string ShapeOf(TrialConfig config) => (config with { Train = config.Train with { Epochs = 0 } }).ToCanonicalJson();

    /// <summary>Whether the plan does anything beyond adding trials (then its lines are worth printing).</summary>
    public bool ChangesRecordedTrials => Extensions.Count > 0 || Left.Count > 0;

    /// <summary>
    /// The plan per kind, e.g. "18 trials: 18 continue from ckpt_3 to epoch 4", "2 trials: 2 use the first 3
    /// epochs of trials trained for 4 (nothing to train)", "6 trials left the spec (…)", "2 new".
    /// </summary>
    public IReadOnlyList<string> Lines(IReadOnlyList<PlannedTrial> trials)
    {
        var lines = new List<string>();
        var epochsOf = trials.DistinctBy(t => t.Id).ToDictionary(t => t.Id, t => t.Config.Train.Epochs);
        foreach (var g in Extensions.Where(e => !e.Value.Complete).GroupBy(e => (From: e.Value.Epochs, To: epochsOf[e.Key])).OrderBy(g => g.Key))
            lines.Add($"{Trials(g.Count())}: {g.Count()} continue from ckpt_{g.Key.From} to epoch {g.Key.To} (epochs 1–{g.Key.From} are kept, not retrained)");
        foreach (var g in Extensions.Where(e => e.Value.Complete).GroupBy(e => (To: e.Value.Epochs, From: FromEpochs[e.Key])).OrderBy(g => g.Key))
            lines.Add($"{Trials(g.Count())}: {g.Count()} use the first {g.Key.To} epochs of trials trained for {g.Key.From} (nothing to train; their curves end at epoch {g.Key.To})");
        if (Left.Count > 0)
            lines.Add($"{Trials(Left.Count)} left the spec (their results stay in the database; `status --all` lists them)");
        if (New > 0 || lines.Count > 0) lines.Add($"{New.ToString(CultureInfo.InvariantCulture)} new");
        return lines;
    }

    private static string Trials(int n) => n == 1 ? "1 trial" : $"{n.ToString(CultureInfo.InvariantCulture)} trials";
}
