using Core.Spec;
using Dapper;

namespace Core.Store;

/// <summary>
/// A trial as a sweep's member, in the form <see cref="SweepRepository.Register"/> stores it: the
/// trial's row (id, canonical config) and its row in <c>sweep_trials</c> (grid position and values).
/// </summary>
/// <param name="Extends">
/// When the trial is new: the recorded trial whose first epochs it copies and continues (or, for a
/// smaller train.epochs, uses as its whole result); null to train it from the start.
/// </param>
public sealed record SweepMember(string TrialId, string ConfigJson, int Ordinal, string GridJson, int Repeat, TrialExtension? Extends = null);

/// <summary>Sweeps and their membership: which trials a sweep's expanded grid contains.</summary>
public sealed class SweepRepository(Database db)
{
    /// <summary>
    /// Records an expanded spec as its sweep (see <see cref="Register(string, string?, string?, IReadOnlyList{SweepMember})"/>):
    /// each trial with its canonical config, grid position and grid values (<see cref="GridJson"/>).
    /// Returns how many trials were new.
    /// </summary>
    public int Register(SweepSpec spec, IReadOnlyDictionary<string, TrialExtension>? extensions = null) =>
        Register(spec.Name, spec.Path, spec.Yaml,
            spec.Trials.Select(t => new SweepMember(t.Id, t.Config.ToCanonicalJson(), t.Ordinal, GridJson.Write(t.Grid), t.Repeat,
                extensions?.GetValueOrDefault(t.Id))).ToList());

    /// <summary>
    /// Records a sweep and its trials in one transaction. Trials that already exist (same id = same
    /// resolved config) are kept with everything they recorded; new ones start pending. The sweep's
    /// membership becomes exactly <paramref name="trials"/> (trials dropped from an edited spec stay
    /// in the store but leave the sweep, recorded in <c>sweep_departures</c> for <c>status --all</c>; a
    /// trial that comes back leaves that list). A new trial with <see cref="SweepMember.Extends"/> starts
    /// from the recorded trial's first epochs (<see cref="TrialExtension"/>). Returns how many trials were new.
    /// </summary>
    public int Register(string name, string? specPath, string? specYaml, IReadOnlyList<SweepMember> trials)
    {
        return db.Run(c =>
        {
            using var tx = db.BeginWrite(c);
            var now = Timestamps.Now();
            // The sweep's row first: a second registration of the same sweep waits here until this one commits.
            c.Execute("""
                INSERT INTO sweeps(name, spec_path, spec_yaml, created_at, updated_at) VALUES (@name, @specPath, @specYaml, @now, @now)
                ON CONFLICT(name) DO UPDATE SET spec_path = excluded.spec_path, spec_yaml = excluded.spec_yaml, updated_at = excluded.updated_at
                """, new { name, specPath, specYaml, now }, tx);
            var added = 0;
            var continuedBy = new Dictionary<string, string>();
            // In id order: two registrations that share trials then never wait on each other in a cycle (PostgreSQL).
            foreach (var t in trials.OrderBy(t => t.TrialId, StringComparer.Ordinal))
            {
                if (t.Extends is { } from && TrialExtension.Insert(c, tx, t.TrialId, t.ConfigJson, from, now))
                {
                    added++;
                    continuedBy.TryAdd(from.FromTrialId, t.TrialId);
                    continue;
                }
                added += c.Execute("""
                    INSERT INTO trials(trial_id, config_json, created_at) VALUES (@TrialId, @ConfigJson, @now)
                    ON CONFLICT(trial_id) DO NOTHING
                    """, new { t.TrialId, t.ConfigJson, now }, tx);
            }
            // Members that are no longer in the spec leave the sweep, and are remembered as having left.
            var kept = trials.Select(t => t.TrialId).ToHashSet();
            var leaving = c.Query<SweepTrialRow>("SELECT * FROM sweep_trials WHERE sweep = @name", new { name }, tx).Where(m => !kept.Contains(m.TrialId)).ToList();
            c.Execute("""
                INSERT INTO sweep_departures(sweep, trial_id, ordinal, grid_json, repeat, left_at, continued_by)
                VALUES (@Sweep, @TrialId, @Ordinal, @GridJson, @Repeat, @now, @continuedBy)
                ON CONFLICT(sweep, trial_id) DO UPDATE SET ordinal = excluded.ordinal, grid_json = excluded.grid_json, repeat = excluded.repeat,
                    left_at = excluded.left_at, continued_by = excluded.continued_by
                """, leaving.Select(m => new { m.Sweep, m.TrialId, m.Ordinal, m.GridJson, m.Repeat, now, continuedBy = continuedBy.GetValueOrDefault(m.TrialId) }), tx);
            c.Execute("DELETE FROM sweep_departures WHERE sweep = @sweep AND trial_id = @TrialId", trials.Select(t => new { sweep = name, t.TrialId }), tx);
            c.Execute("DELETE FROM sweep_trials WHERE sweep = @name", new { name }, tx);
            c.Execute("""
                INSERT INTO sweep_trials(sweep, trial_id, ordinal, grid_json, repeat) VALUES (@sweep, @TrialId, @Ordinal, @GridJson, @Repeat)
                """, trials.Select(t => new { sweep = name, t.TrialId, t.Ordinal, t.GridJson, t.Repeat }), tx);
            tx.Commit();
            return added;
        });
    }

    public IReadOnlyList<SweepRow> List()
    {
        return db.Run(c =>
        {
            return c.Query<SweepRow>("SELECT * FROM sweeps ORDER BY updated_at DESC, name").AsList();
        });
    }

    /// <summary>
    /// The sweep named <paramref name="name"/>, or the most recently updated one when it is null.
    /// Throws <see cref="SweepNotFoundException"/> (with the names there are) when there is no such sweep.
    /// </summary>
    public SweepRow Find(string? name)
    {
        var found = name is null ? List().FirstOrDefault() : Get(name);
        return found ?? throw new SweepNotFoundException(db.Path, name, List().Select(s => s.Name).ToList());
    }

    public SweepRow? Get(string name)
    {
        return db.Run(c =>
        {
            return c.QuerySingleOrDefault<SweepRow>("SELECT * FROM sweeps WHERE name = @name", new { name });
        });
    }

    /// <summary>The sweep's trials in grid order.</summary>
    public IReadOnlyList<SweepTrialRow> Members(string sweep)
    {
        return db.Run(c =>
        {
            return c.Query<SweepTrialRow>("SELECT * FROM sweep_trials WHERE sweep = @sweep ORDER BY ordinal", new { sweep }).AsList();
        });
    }

    /// <summary>The trials of the sweep, members and those that left it, as the store holds them (for planning a continuation).</summary>
    public IReadOnlyList<TrialRow> TrialsEverIn(string sweep)
    {
        return db.Run(c => c.Query<TrialRow>("""
            SELECT t.* FROM trials t WHERE t.trial_id IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)
                                        OR t.trial_id IN (SELECT trial_id FROM sweep_departures WHERE sweep = @sweep)
            ORDER BY t.trial_id
            """, new { sweep }).AsList());
    }
}
