using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Core.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class QuerySettings : StoreSettings
{
    [CommandArgument(0, "<SQL>")]
    [Description("The SQL to run, e.g. \"SELECT cell, hidden, seq_len, best_val_loss FROM trial_summary ORDER BY best_val_loss\"")]
    public string Sql { get; init; } = "";

    [CommandOption("--format <FORMAT>")]
    [Description("table (default), csv or json (an array of objects)")]
    public string Format { get; init; } = "table";

    [CommandOption("--timeout <SECONDS>")]
    [Description("Stop the query after this many seconds (0: no limit). Default: 60")]
    [TypeConverter(typeof(NumberOption<double>))]
    public double? Timeout { get; init; }

    /// <summary>How long the query may run (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: no limit).</summary>
    public TimeSpan TimeLimit => Timeout switch
    {
        null => ReadOnlyQuery.DefaultTimeout,
        0 => System.Threading.Timeout.InfiniteTimeSpan,
        var s => TimeSpan.FromSeconds(s.Value),
    };

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        if (Timeout is { } t && (!double.IsFinite(t) || t < 0 || t > int.MaxValue / 1000.0))
            return ValidationResult.Error($"--timeout must be a number of seconds from 0 (no limit) to {int.MaxValue / 1000}, got {t}");
        return Format is "table" or "csv" or "json"
            ? ValidationResult.Success()
            : ValidationResult.Error($"--format must be table, csv or json, got '{Format}'");
    }
}

/// <summary>
/// <c>orchestrator query "SQL"</c>: runs SQL on the database opened read-only, for at most
/// <c>--timeout</c>, streaming its rows: CSV and JSON row by row, a table
/// <see cref="TableRows"/> rows at a time (each chunk with its header), so memory stays flat for any
/// row count. A table shows whitespace (<see cref="Visible"/>).
/// </summary>
internal sealed class QueryCommand : Command<QuerySettings>
{
    /// <summary>How many rows one printed table holds; a longer result prints as several tables.</summary>
    public const int TableRows = 1000;

    public override int Execute(CommandContext context, QuerySettings settings, CancellationToken cancellationToken)
    {
        var db = Database.OpenReadOnly(settings.Store, settings.ResultsDir);
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        RowWriter output = settings.Format switch
        {
            "csv" => new CsvRows(stdout),
            "json" => new JsonRows(stdout.BaseStream),
            _ => new TableChunks(),
        };
        long rows;
        try
        {
            rows = ReadOnlyQuery.Stream(db, settings.Sql, settings.TimeLimit, output, cancellationToken);
            output.Finish();
        }
        finally
        {
            stdout.Flush(); // rows already printed stay printed when the query fails part way (a timeout)
        }
        if (output is TableChunks && Output.IsTerminal) AnsiConsole.MarkupLine($"[grey]{rows} row(s)[/]");
        return CliExitCode.Ok;
    }

    /// <summary>One output format, fed row by row; <see cref="Finish"/> ends it after the last row.</summary>
    private abstract class RowWriter : IQueryOutput
    {
        public abstract void Columns(IReadOnlyList<string> names);
        public abstract void Row(object?[] values);
        public abstract void Finish();
    }

    /// <summary>A table of at most <see cref="TableRows"/> rows at a time, each with the header.</summary>
    private sealed class TableChunks : RowWriter
    {
        private IReadOnlyList<string>? _columns;
        private readonly List<IReadOnlyList<string>> _chunk = [];
        private bool _printed;

        public override void Columns(IReadOnlyList<string> names)
        {
            _columns = names;
            _chunk.Clear();
            _printed = false;
        }

        public override void Row(object?[] values)
        {
            _chunk.Add(values.Select(v => Visible(Text(v))).ToList());
            if (_chunk.Count >= TableRows) Print();
        }

        private void Print()
        {
            Output.Table(_columns!, _chunk);
            _chunk.Clear();
            _printed = true;
        }

        public override void Finish()
        {
            if (_columns is null) Output.Info("(no result)");
            else if (_chunk.Count > 0 || !_printed) Print();
        }
    }

    private static string Text(object? v) => v switch
    {
        null => "NULL",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] b => $"<{b.Length} bytes>",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>
    /// A table cell with the whitespace a table would hide made visible: leading and trailing spaces
    /// as ␠ (a value of one space reads ␠), tabs as \t, line breaks as \n and \r. Spaces between
    /// words stay spaces. CSV and JSON carry values as they are.
    /// </summary>
    public static string Visible(string text)
    {
        var s = text.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        var body = s.Trim(' ');
        if (body.Length == 0) return new string('␠', s.Length);
        var lead = s.Length - s.TrimStart(' ').Length;
        var trail = s.Length - s.TrimEnd(' ').Length;
        return new string('␠', lead) + body + new string('␠', trail);
    }

    /// <summary>RFC 4180, row by row: fields with a comma, quote or line break are quoted, quotes doubled; NULL is empty.</summary>
    private sealed class CsvRows(TextWriter w) : RowWriter
    {
        private bool _columns;

        private static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

        public override void Columns(IReadOnlyList<string> names)
        {
            w.Write(string.Join(',', names.Select(Field)));
            w.Write('\n');
            _columns = true;
        }

        public override void Row(object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (i > 0) w.Write(',');
                if (values[i] is { } v) w.Write(Field(v is byte[] b ? Convert.ToBase64String(b) : Text(v)));
            }
            w.Write('\n');
        }

        public override void Finish()
        {
            if (!_columns) w.Write('\n');
        }
    }

    /// <summary>A JSON array of objects, written as rows come and flushed every 64 KiB.</summary>
    private sealed class JsonRows(Stream stream) : RowWriter
    {
        private readonly Utf8JsonWriter _w = new(stream, new JsonWriterOptions { Indented = true });
        private IReadOnlyList<string> _columns = [];
        private bool _open;

        public override void Columns(IReadOnlyList<string> names)
        {
            _columns = names;
            if (_open) return;
            _w.WriteStartArray();
            _open = true;
        }

        public override void Row(object?[] row)
        {
            _w.WriteStartObject();
            for (var i = 0; i < _columns.Count; i++)
            {
                _w.WritePropertyName(_columns[i]);
                switch (row[i])
                {
                    case null: _w.WriteNullValue(); break;
                    case long l: _w.WriteNumberValue(l); break;
                    case int n: _w.WriteNumberValue(n); break;
                    case short n: _w.WriteNumberValue(n); break;
                    case decimal m: _w.WriteNumberValue(m); break;
                    case float f when float.IsFinite(f): _w.WriteNumberValue(f); break;
                    case bool b: _w.WriteBooleanValue(b); break;
                    case double d when double.IsFinite(d): _w.WriteNumberValue(d); break;
                    case double d: _w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
                    case byte[] b: _w.WriteBase64StringValue(b); break;
                    case var v: _w.WriteStringValue(Text(v)); break;
                }
            }
            _w.WriteEndObject();
            if (_w.BytesPending > 1 << 16) _w.Flush();
        }

        public override void Finish()
        {
            if (!_open) _w.WriteStartArray();
            _w.WriteEndArray();
            _w.Flush();
            _w.Dispose();
            stream.Write("\n"u8);
        }
    }
}
