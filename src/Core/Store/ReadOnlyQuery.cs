using System.Data;
using System.Data.Common;

namespace Core.Store;

/// <summary>The columns and rows a query returned. Values are long, int, double, string, byte[] or null.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// Runs the user's SQL against a store opened read-only (<c>orchestrator query</c>). How each engine
/// keeps it from writing is its dialect's (<see cref="Dialects.Dialect.RunReadOnly"/>): SQLite asks
/// every statement whether it writes before any runs; PostgreSQL runs one statement in a READ ONLY
/// transaction. Either way a write is refused with a <see cref="QueryException"/> and nothing changes.
/// </summary>
public static class ReadOnlyQuery
{
    /// <summary>Runs <paramref name="sql"/>; returns the last result that has columns.</summary>
    public static QueryResult Run(Database db, string sql, CancellationToken ct)
    {
        if (!db.ReadOnly) throw new ArgumentException("open the database with Database.OpenReadOnly", nameof(db));
        if (string.IsNullOrWhiteSpace(sql)) throw new QueryException("the query is empty; give one SQL statement, e.g. \"SELECT * FROM trial_summary\"");
        using var c = db.Connect();
        return db.Dialect.RunReadOnly(c, sql, reader => Read(reader, ct), ct);
    }

    private static QueryResult Read(DbDataReader reader, CancellationToken ct)
    {
        QueryResult? result = null;
        do
        {
            if (reader.FieldCount == 0) continue;
            result = Rows(reader, ct);
        } while (reader.NextResult());
        return result ?? new QueryResult([], []);
    }

    /// <summary>The reader's current result: its column names and every row, SQL NULL as null.</summary>
    internal static QueryResult Rows(IDataReader reader, CancellationToken ct)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new QueryResult(columns, rows);
    }
}

/// <summary>A query that could not run, or was refused; the message says why.</summary>
public sealed class QueryException(string message) : Exception(message);
