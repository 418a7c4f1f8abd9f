using Core.Store;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Orchestrator.Queries;

/// <summary>The columns and rows a query returned. Values are long, double, string, byte[] or null.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// Runs SQL against the store opened read-only. Before anything runs, every statement is compiled
/// and asked whether it writes (<c>sqlite3_stmt_readonly</c>): one that would change the database,
/// its settings or any other file (<c>VACUUM INTO</c>, <c>PRAGMA journal_mode=…</c>) refuses the whole
/// query. The read-only connection and <c>PRAGMA query_only</c> stay as second and third locks.
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
        RefuseWrites(c, sql);
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
            throw new QueryException("refused: `query` only reads, and a statement tried to write; the read-only connection stopped it. Nothing was changed.");
        }
        catch (SqliteException e)
        {
            throw new QueryException($"SQL error: {Message(e)}");
        }
    }

    private static string Message(SqliteException e) => e.Message.Replace("SQLite Error ", "", StringComparison.Ordinal);

    /// <summary>Compiles each statement without running it; throws if one does not compile or would write.</summary>
    private static void RefuseWrites(SqliteConnection c, string sql)
    {
        var rest = sql;
        for (var n = 1; !string.IsNullOrWhiteSpace(rest); n++)
        {
            var rc = raw.sqlite3_prepare_v2(c.Handle, rest, out var statement, out var tail);
            using (statement)
            {
                if (rc != raw.SQLITE_OK)
                    throw new QueryException($"SQL error: {rc}: '{raw.sqlite3_errmsg(c.Handle).utf8_to_string()}'. Nothing was run.");
                if (statement is not null && !statement.IsInvalid && raw.sqlite3_stmt_readonly(statement) == 0)
                {
                    var text = raw.sqlite3_sql(statement).utf8_to_string().Trim();
                    throw new QueryException($"refused: `query` only reads, and SQLite counts statement {n} ({text}) as one that writes "
                                             + "(to the database, its settings or another file). Nothing was changed: no statement was run.");
                }
            }
            if (tail.Length == rest.Length) break; // nothing compiled (only comments or whitespace left)
            rest = tail;
        }
    }
}

/// <summary>A query that could not run; the message says why.</summary>
public sealed class QueryException(string message) : Exception(message);
