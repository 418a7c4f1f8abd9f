using System.Globalization;
using Core.Store;
using Orchestrator.Progress;

namespace Orchestrator.Queries;

/// <summary>
/// Finds the one trial a user means (<c>sample --trial</c>): by its id, by a prefix of its id that
/// only it has (as git takes commits), or by grid values, <c>name=value,…</c> (e.g.
/// <c>cell=gru,hidden=128,seq_len=50</c>), where a name is a grid key (<c>model.hidden</c>) or its
/// last part (<c>hidden</c>), a value is compared as a number when both sides are numbers, and
/// <c>repeat=N</c> picks a repeat. Grid values are looked up in every sweep of the store. Throws
/// <see cref="TrialSelectionException"/> when no trial or more than one matches, listing them.
/// </summary>
internal static class TrialSelection
{
    private sealed record Member(string TrialId, string Sweep, IReadOnlyDictionary<string, string> Grid, int Repeat)
    {
        public string Describe() => $"{TrialId} ({Sweep}: {TrialLabels.Label(Grid, Repeat, Repeat > 0)})";
    }

    public static string Resolve(Database db, string selection)
    {
        var text = selection.Trim();
        return text.Contains('=', StringComparison.Ordinal) ? ByGrid(db, text) : ById(db, text);
    }

    private static string ById(Database db, string id)
    {
        var trials = new TrialRepository(db);
        if (trials.Get(id) is not null) return id;
        var matches = trials.IdsStartingWith(id);
        if (matches.Count == 1) return matches[0];
        if (matches.Count == 0)
            throw new TrialSelectionException($"no trial '{id}' in {db.Path}: no id starts with it (`orchestrator status` lists the ids; --trial also takes grid values, e.g. cell=gru,hidden=128)");
        var members = Members(db);
        var described = matches.Select(m => members.FirstOrDefault(x => x.TrialId == m)?.Describe() ?? $"{m} (in no sweep)");
        throw new TrialSelectionException($"--trial {id} is ambiguous: {matches.Count} trials start with it: {List(described)}; give more of the id");
    }

    private static string ByGrid(Database db, string selection)
    {
        var members = Members(db);
        var keys = members.SelectMany(m => m.Grid.Keys).Distinct().ToList();
        var wanted = new List<(string Key, string Value)>();
        foreach (var part in selection.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = eq < 0 ? (part, "") : (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (name.Length == 0 || value.Length == 0)
                throw new TrialSelectionException($"--trial {selection}: '{part}' is not name=value; write grid values as e.g. cell=gru,hidden=128,seq_len=50");
            if (name == "repeat") { wanted.Add((name, value)); continue; }
            var key = keys.FirstOrDefault(k => k == name) ?? keys.FirstOrDefault(k => TrialLabels.ShortName(k) == name);
            if (key is null)
                throw new TrialSelectionException($"--trial {selection}: '{name}' is not a grid key of any sweep in {db.Path}; "
                                                  + (keys.Count == 0 ? "it has no sweeps with a grid" : $"the grid keys are {string.Join(", ", keys)}"));
            wanted.Add((key, value));
        }

        bool Matches(Member m) => wanted.All(w => w.Key == "repeat"
            ? Same(m.Repeat.ToString(CultureInfo.InvariantCulture), w.Value)
            : m.Grid.TryGetValue(w.Key, out var v) && Same(v, w.Value));
        var found = members.Where(Matches).GroupBy(m => m.TrialId).Select(g => g.First()).ToList();
        return found.Count switch
        {
            1 => found[0].TrialId,
            0 => throw new TrialSelectionException($"no trial has {selection} in {db.Path}; the values there: "
                                                    + string.Join("; ", wanted.Where(w => w.Key != "repeat")
                                                        .Select(w => $"{w.Key}: {string.Join(", ", members.Select(m => m.Grid.GetValueOrDefault(w.Key)).OfType<string>().Distinct())}"))),
            _ => throw new TrialSelectionException($"--trial {selection} is ambiguous: {found.Count} trials have it: {List(found.Select(f => f.Describe()))}; add grid values, or give an id"),
        };
    }

    /// <summary>Equal as text, or as numbers when both are (128 = 128.0, 0.01 = 1e-2).</summary>
    private static bool Same(string a, string b) =>
        a == b || (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                   && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && x == y);

    private static List<Member> Members(Database db) =>
        new SweepReader(db).Read(sweep: null).SelectMany(s => s.Trials.Select(t => new Member(t.TrialId, s.Sweep, t.GridText, t.Repeat))).ToList();

    private static string List(IEnumerable<string> items)
    {
        var all = items.ToList();
        return string.Join(", ", all.Take(10)) + (all.Count > 10 ? $", and {all.Count - 10} more" : "");
    }
}

/// <summary>A <c>--trial</c> that names no trial, or more than one: bad input.</summary>
internal sealed class TrialSelectionException(string message) : Exception(message);
