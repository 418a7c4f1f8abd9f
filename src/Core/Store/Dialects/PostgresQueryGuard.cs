using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Core.Store.Dialects;

/// <summary>
/// What keeps <c>orchestrator query</c> on PostgreSQL from having side effects that a READ ONLY
/// transaction does not stop (signalling backends, changing settings, advisory locks, notifications,
/// another database through dblink): the statement must be a SELECT (or <c>WITH … SELECT</c>,
/// <c>VALUES</c>, <c>TABLE</c>), and neither its text nor its plan (<c>EXPLAIN (VERBOSE)</c>, which runs
/// nothing and shows every function a view or subquery calls) may call a volatile function outside
/// <see cref="SafeVolatile"/>. The check errs on the side of refusing: a column or string that merely
/// looks like such a call in a comment is not counted, but one in a quoted identifier is. See docs/store.md ("What query may run").
/// </summary>
internal static partial class PostgresQueryGuard
{
    /// <summary>Volatile functions that only read, or only make up values: the ones a query may call.</summary>
    public static readonly IReadOnlySet<string> SafeVolatile = new HashSet<string>(StringComparer.Ordinal)
    {
        "random", "random_normal", "setseed", "gen_random_uuid", "clock_timestamp", "timeofday",
        "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        "pg_database_size", "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_tablespace_size",
    };

    /// <summary>Functions whose name starts so only read statistics (<c>pg_stat_activity</c> and the like use them).</summary>
    private const string StatisticsPrefix = "pg_stat_get_";

    private static readonly string[] Readers = ["SELECT", "WITH", "VALUES", "TABLE"];

    /// <summary>Throws a <see cref="QueryException"/> ("refused: …") unless <paramref name="sql"/> starts as a query that only reads.</summary>
    public static void RequireSelect(string sql)
    {
        var word = FirstWord(sql);
        if (Readers.Contains(word, StringComparer.OrdinalIgnoreCase)) return;
        var hint = word.Equals("COPY", StringComparison.OrdinalIgnoreCase) ? " For rows as CSV, give the SELECT with --format csv." : "";
        throw new QueryException($"refused: on PostgreSQL `query` runs one SELECT (or WITH … SELECT, VALUES, TABLE) statement, and this one starts with " +
                                 $"'{(word.Length > 0 ? word : sql.Trim()[..Math.Min(12, sql.Trim().Length)])}'.{hint} Nothing was run.");
    }

    /// <summary>
    /// Plans <paramref name="sql"/> without running it and throws a <see cref="QueryException"/> naming
    /// the functions if the plan calls a volatile one that is not safe.
    /// </summary>
    public static void RefuseSideEffects(NpgsqlConnection c, NpgsqlTransaction tx, string sql)
    {
        string plan;
        using (var batch = new NpgsqlBatch(c, tx))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("EXPLAIN (VERBOSE, FORMAT JSON) " + sql));
            plan = Convert.ToString(batch.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "[]";
        }
        // The plan shows what views and subqueries call; the text shows what the plan leaves out (a
        // VALUES list, LIMIT and OFFSET). A name in either that is a volatile function counts.
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var json = JsonDocument.Parse(plan))
            Collect(json.RootElement, names);
        Calls(Comments().Replace(sql, " "), names);
        if (names.Count == 0) return;
        var volatileNames = c.Query<string>("SELECT DISTINCT proname FROM pg_proc WHERE provolatile = 'v' AND proname = ANY(@names)",
            new { names = names.ToArray() }, tx);
        var refused = volatileNames.Where(n => !SafeVolatile.Contains(n) && !n.StartsWith(StatisticsPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
            throw new QueryException($"refused: `query` only reads, and this statement calls {string.Join(", ", refused.Select(n => n + "()"))}, " +
                                     "a function with side effects a read-only transaction does not stop (on other sessions, settings or files). " +
                                     "Nothing was run. Functions that only compute or read (and random(), clock_timestamp(), pg_sleep(), the size and statistics functions) may be called.");
    }

    /// <summary>Every name written as a call (<c>name(</c>) in the plan's texts, string literals left out.</summary>
    private static void Collect(JsonElement e, HashSet<string> names)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Collect(p.Value, names);
                break;
            case JsonValueKind.Array:
                foreach (var v in e.EnumerateArray()) Collect(v, names);
                break;
            case JsonValueKind.String:
                Calls(e.GetString() ?? "", names);
                break;
        }
    }

    /// <summary>Adds every name written as a call in <paramref name="text"/>, its string literals left out.</summary>
    private static void Calls(string text, HashSet<string> names)
    {
        foreach (Match m in Call().Matches(Literal().Replace(text, "''")))
        {
            var name = m.Groups["name"].Value;
            names.Add(name.StartsWith('"') ? name[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : name.ToLowerInvariant());
        }
    }

    /// <summary>The statement's first keyword, after whitespace, comments and opening parentheses.</summary>
    private static string FirstWord(string sql)
    {
        var rest = LeadingNoise().Replace(sql, "");
        var m = Word().Match(rest);
        return m.Success ? m.Value : "";
    }

    [GeneratedRegex(@"'(?:[^']|'')*'|\$(?<tag>[A-Za-z_]*)\$(?:.|\n)*?\$\k<tag>\$")]
    private static partial Regex Literal();

    [GeneratedRegex(@"--[^\n]*|/\*(?:.|\n)*?\*/")]
    private static partial Regex Comments();

    [GeneratedRegex(@"(?<name>""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*)\s*\(")]
    private static partial Regex Call();

    [GeneratedRegex(@"^(?:\s+|--[^\n]*(?:\n|$)|/\*(?:.|\n)*?\*/|\()*")]
    private static partial Regex LeadingNoise();

    [GeneratedRegex(@"^[A-Za-z]+")]
    private static partial Regex Word();
}
