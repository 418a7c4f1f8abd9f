using Dapper;

namespace Core.Store;

/// <summary>How many rows of each table an export copied.</summary>
public sealed record ExportSummary(IReadOnlyList<(string Table, int Rows)> Tables)
{
    public int Rows(string table) => Tables.FirstOrDefault(t => t.Table == table).Rows;
}

/// <summary>
/// Copies a sweep, or the whole store, from one store to another (SQLite ↔ PostgreSQL, or the same
/// engine), row for row and value for value: integers, floats (both engines keep IEEE doubles),
/// text and NULLs arrive as they were. In the target, in one transaction, the copied sweeps and
/// trials are upserted, and the rows that belong to them (membership, attempts, metrics,
/// checkpoints, probes, samples, architecture, Slurm jobs) are replaced by the source's, so
/// exporting again after more progress brings the target up to date. Other sweeps and trials of
/// the target stay as they were. Checkpoint files are not moved: their rows name them relative to
/// the results folder.
/// </summary>
public static class StoreExport
{
    /// <summary>Keys per DELETE: well under SQLite's limit on a statement's parameters.</summary>
    private const int KeysPerDelete = 500;

    public static ExportSummary Copy(Database from, Database to, string? sweep, CancellationToken ct)
    {
        if (from.Location.SameDatabase(to.Location)) throw new StoreException($"the export's source and target are the same database ({from.Path})");
        if (sweep is not null) new SweepRepository(from).Find(sweep); // throws, naming the sweeps there are, when there is no such sweep

        // Read everything first (the source is only read), then write the target in one transaction.
        var tables = from.Run(c =>
        {
            var read = new List<(TableInfo Table, QueryResult Data)>();
            foreach (var table in Schema.Tables)
            {
                ct.ThrowIfCancellationRequested();
                using var reader = c.ExecuteReader(SelectInScope(table, sweep), new { sweep });
                read.Add((table, ReadOnlyQuery.Rows(reader, ct)));
            }
            return read;
        });
        var sweeps = Keys(tables, "sweeps", "name");
        var trialIds = Keys(tables, "trials", "trial_id");

        to.Run(c =>
        {
            using var tx = to.BeginWrite(c);
            // Children first: what belongs to the copied sweeps and trials is replaced, not merged.
            foreach (var (table, _) in Enumerable.Reverse(tables))
            {
                if (table.Name is "sweeps" or "trials") continue;
                var sql = $"DELETE FROM {table.Name} WHERE {to.Dialect.InList(table.ScopeColumn, "keys")}";
                foreach (var keys in (table.BySweep ? sweeps : trialIds).Chunk(KeysPerDelete))
                    c.Execute(sql, new { keys }, tx);
            }
            foreach (var (table, data) in tables)
            {
                ct.ThrowIfCancellationRequested();
                if (data.Rows.Count == 0) continue;
                c.Execute(Upsert(table, data.Columns), data.Rows.Select(r => Parameters(r)), tx);
            }
            tx.Commit();
        });
        return new ExportSummary(tables.Select(t => (t.Table.Name, t.Data.Rows.Count)).ToList());
    }

    /// <summary>The values of <paramref name="column"/> (a key) in the rows read of <paramref name="table"/>.</summary>
    private static string[] Keys(List<(TableInfo Table, QueryResult Data)> tables, string table, string column)
    {
        var data = tables.Single(t => t.Table.Name == table).Data;
        var i = data.Columns.ToList().IndexOf(column);
        return data.Rows.Select(r => (string)r[i]!).ToArray();
    }

    /// <summary>The table's rows that belong to the sweep (every row when it is null).</summary>
    private static string SelectInScope(TableInfo table, string? sweep) =>
        sweep is null ? $"SELECT * FROM {table.Name}"
        : table.BySweep ? $"SELECT * FROM {table.Name} WHERE {table.ScopeColumn} = @sweep"
        : $"SELECT * FROM {table.Name} WHERE {table.ScopeColumn} IN (SELECT trial_id FROM sweep_trials WHERE sweep = @sweep)";

    /// <summary>INSERT of one row that overwrites the row with the same key; identifiers quoted ("array" is reserved in PostgreSQL).</summary>
    private static string Upsert(TableInfo table, IReadOnlyList<string> columns)
    {
        static string Q(string name) => $"\"{name}\"";
        var values = string.Join(", ", columns.Select((_, i) => $"@p{i}"));
        var rest = columns.Where(col => !table.Key.Contains(col)).Select(col => $"{Q(col)} = excluded.{Q(col)}").ToList();
        return $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(Q))}) VALUES ({values}) " +
               $"ON CONFLICT ({string.Join(", ", table.Key.Select(Q))}) " + (rest.Count == 0 ? "DO NOTHING" : $"DO UPDATE SET {string.Join(", ", rest)}");
    }

    private static DynamicParameters Parameters(object?[] row)
    {
        var p = new DynamicParameters();
        for (var i = 0; i < row.Length; i++) p.Add($"p{i}", row[i]);
        return p;
    }
}
