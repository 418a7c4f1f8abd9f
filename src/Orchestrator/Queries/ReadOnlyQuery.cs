using Core.Store;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Queries;

/// <summary>The columns and rows a query returned. Values are long, double, string, byte[] or null.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// Runs SQL against the store opened read-only, with <c>PRAGMA query_only</c> as a second lock: a
/// statement that would write is refused by SQLite itself and changes nothing.
/// </summary>
public static class ReadOnlyQuery
{
    private const int SqliteReadOnly = 8; // SQLITE_READONLY

    /// <summary>Runs every statement of <paramref name="sql"/>; returns the last result that has columns.</summary>
    public static QueryResult Run(Database db, string sql, CancellationToken ct)
    {
        if (!db.ReadOnly) throw new ArgumentException("open the database with Database.OpenReadOnly", nameof(db));
        if (string.IsNullOrWhiteSpace(sql)) throw new QueryException("the query is empty; give one SQL statement, e.g. \"SELECT * FROM trial_summary\"");
        using var c = db.Connect();
        using (var pragma = c.CreateCommand())
        {
            pragma.CommandText = "PRAGMA query_only = ON;";
            pragma.ExecuteNonQuery();
        }
        using var command = c.CreateCommand();
        command.CommandText = sql;
        using var cancel = ct.Register(() => command.Cancel());
        try
        {
            using var reader = command.ExecuteReader();
            QueryResult? result = null;
            do
            {
                if (reader.FieldCount == 0) continue;
                var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
                var rows = new List<object?[]>();
                while (reader.Read())
                {
                    ct.ThrowIfCancellationRequested();
                    var row = new object?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    rows.Add(row);
                }
                result = new QueryResult(columns, rows);
            } while (reader.NextResult());
            return result ?? new QueryResult([], []);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteReadOnly)
        {
            throw new QueryException($"refused: `query` only reads, and this statement would change the database ({e.SqliteErrorCode}: {Message(e)}). Nothing was changed.");
        }
        catch (SqliteException e)
        {
            throw new QueryException($"SQL error: {Message(e)}");
        }
    }

    private static string Message(SqliteException e) => e.Message.Replace("SQLite Error ", "", StringComparison.Ordinal);
}

/// <summary>A query that could not run; the message says why.</summary>
public sealed class QueryException(string message) : Exception(message);
