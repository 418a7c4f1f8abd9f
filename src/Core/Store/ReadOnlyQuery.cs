using System.Data;
using System.Data.Common;

namespace Core.Store;

/// <summary>The columns and rows a query returned. Values are long, int, double, string, byte[] or null.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>Where a streamed query's result goes: its column names once, then each row as it is read (the array is not kept).</summary>
public interface IQueryOutput
{
    void Columns(IReadOnlyList<string> names);
    void Row(object?[] values);
}

/// <summary>
/// Runs the user's SQL against a store opened read-only (<c>orchestrator query</c>). How each engine
/// keeps it from writing, or from calling functions with side effects, is its dialect's
/// (<see cref="Dialects.Dialect.RunReadOnly"/>): SQLite asks every statement whether it writes before
/// any runs; PostgreSQL runs one SELECT-like statement, after refusing one whose plan calls a volatile
/// function outside a safe list, in a READ ONLY transaction. Either way a refusal is a
/// <see cref="QueryException"/> and nothing changes. Rows are streamed to an <see cref="IQueryOutput"/>,
/// so memory stays flat for any row count, and a query runs for at most its timeout (docs/store.md).
/// </summary>
public static class ReadOnlyQuery
{
    /// <summary>How long <c>orchestrator query</c> lets a query run unless <c>--timeout</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="sql"/> and collects the last result that has columns (for small results: tests, tools).</summary>
    public static QueryResult Run(Database db, string sql, CancellationToken ct) => Run(db, sql, DefaultTimeout, ct);

    /// <inheritdoc cref="Run(Database, string, CancellationToken)"/>
    public static QueryResult Run(Database db, string sql, TimeSpan timeout, CancellationToken ct)
    {
        var collected = new Collected();
        Stream(db, sql, timeout, collected, ct);
        return new QueryResult(collected.Names, collected.Rows);
    }

    /// <summary>
    /// Runs <paramref name="sql"/>, handing the last result that has columns to <paramref name="output"/>
    /// row by row (earlier ones are read and dropped); returns the number of rows handed on.
    /// <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: none) stops it with a
    /// <see cref="QueryTimeoutException"/>.
    /// </summary>
    public static long Stream(Database db, string sql, TimeSpan timeout, IQueryOutput output, CancellationToken ct)
    {
        if (!db.ReadOnly) throw new ArgumentException("open the database with Database.OpenReadOnly", nameof(db));
        if (string.IsNullOrWhiteSpace(sql)) throw new QueryException("the query is empty; give one SQL statement, e.g. \"SELECT * FROM trial_summary\"");
        using var timer = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        if (timeout != Timeout.InfiniteTimeSpan) timer.CancelAfter(timeout);
        var shown = new Shown(output);
        try
        {
            // A database that blinks before the first row is waited for (within the outage window and the timeout);
            // once anything was handed on, trying again would hand it on twice, so the error ends the query.
            return db.Run(c =>
            {
                try
                {
                    return db.Dialect.RunReadOnly(c, sql, timeout, (reader, lastWithColumns) => Read(reader, lastWithColumns, shown, linked.Token), linked.Token);
                }
                catch (Exception e) when (shown.Started && OutagePolicy.IsTransient(e))
                {
                    throw new QueryInterruptedException(db.Path, shown.Rows, e);
                }
            }, ct: linked.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new QueryTimeoutException(timeout);
        }
    }

    /// <summary>Streams result number <paramref name="lastWithColumns"/> (counting those with columns, from 0), drains the others.</summary>
    private static long Read(DbDataReader reader, int lastWithColumns, IQueryOutput output, CancellationToken ct)
    {
        var index = -1;
        long rows = 0;
        do
        {
            if (reader.FieldCount == 0) continue;
            index++;
            var shown = index >= lastWithColumns;
            if (shown) output.Columns(Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList());
            var row = new object?[reader.FieldCount];
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                if (!shown) continue;
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                output.Row(row);
                rows++;
            }
        } while (reader.NextResult());
        return rows;
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

    /// <summary>Hands rows on to the output, noting whether anything was handed on yet (then a retry would repeat it).</summary>
    private sealed class Shown(IQueryOutput output) : IQueryOutput
    {
        public bool Started { get; private set; }
        public long Rows { get; private set; }

        public void Columns(IReadOnlyList<string> names)
        {
            Started = true;
            output.Columns(names);
        }

        public void Row(object?[] values)
        {
            Rows++;
            output.Row(values);
        }
    }

    /// <summary>Keeps the last result with columns (a later one replaces an earlier one).</summary>
    private sealed class Collected : IQueryOutput
    {
        public IReadOnlyList<string> Names { get; private set; } = [];
        public List<object?[]> Rows { get; } = [];

        public void Columns(IReadOnlyList<string> names)
        {
            Names = names;
            Rows.Clear();
        }

        public void Row(object?[] values) => Rows.Add((object?[])values.Clone());
    }
}

/// <summary>A query that could not run, or was refused; the message says why.</summary>
public class QueryException(string message) : Exception(message);

/// <summary>
/// The database stopped answering after rows were handed on: not tried again (that would repeat them); the output is incomplete.
/// </summary>
public sealed class QueryInterruptedException(string database, long rows, Exception inner) : QueryException(
    $"the database {database} stopped answering after {rows} row(s) were written ({inner.Message.ReplaceLineEndings(" ")}); "
    + "the output is incomplete: run the query again once the database answers")
{
    public Exception Cause { get; } = inner;
}

/// <summary>A query stopped because it ran longer than its timeout.</summary>
internal sealed class QueryTimeoutException(TimeSpan timeout) : QueryException(
    $"the query ran longer than {timeout.TotalSeconds:0.###} s and was stopped (nothing was changed); " +
    "narrow it (WHERE, LIMIT), or give it longer with --timeout SECONDS (0: no limit)")
{
    public TimeSpan Timeout { get; } = timeout;
}
