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

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        return Format is "table" or "csv" or "json"
            ? ValidationResult.Success()
            : ValidationResult.Error($"--format must be table, csv or json, got '{Format}'");
    }
}

/// <summary><c>orchestrator query "SQL"</c>: runs SQL on the database opened read-only; a table shows whitespace (<see cref="Visible"/>).</summary>
internal sealed class QueryCommand : Command<QuerySettings>
{
    public override int Execute(CommandContext context, QuerySettings settings, CancellationToken cancellationToken)
    {
        var result = ReadOnlyQuery.Run(Database.OpenReadOnly(settings.Store, settings.ResultsDir), settings.Sql, cancellationToken);
        switch (settings.Format)
        {
            case "csv": WriteCsv(result); break;
            case "json": WriteJson(result); break;
            default:
                if (result.Columns.Count == 0) Output.Info("(no result)");
                else Output.Table(result.Columns, result.Rows.Select(r => (IReadOnlyList<string>)r.Select(v => Visible(Text(v))).ToList()));
                if (Output.IsTerminal) AnsiConsole.MarkupLine($"[grey]{result.Rows.Count} row(s)[/]");
                break;
        }
        return CliExitCode.Ok;
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

    /// <summary>RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; NULL is empty.</summary>
    private static void WriteCsv(QueryResult r)
    {
        static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
        var sb = new StringBuilder();
        sb.AppendJoin(',', r.Columns.Select(Field)).Append('\n');
        foreach (var row in r.Rows)
            sb.AppendJoin(',', row.Select(v => v is null ? "" : Field(v is byte[] b ? Convert.ToBase64String(b) : Text(v)))).Append('\n');
        Console.Out.Write(sb.ToString());
    }

    private static void WriteJson(QueryResult r)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var row in r.Rows)
            {
                w.WriteStartObject();
                for (var i = 0; i < r.Columns.Count; i++)
                {
                    w.WritePropertyName(r.Columns[i]);
                    switch (row[i])
                    {
                        case null: w.WriteNullValue(); break;
                        case long l: w.WriteNumberValue(l); break;
                        case int n: w.WriteNumberValue(n); break;
                        case short n: w.WriteNumberValue(n); break;
                        case decimal m: w.WriteNumberValue(m); break;
                        case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
                        case bool b: w.WriteBooleanValue(b); break;
                        case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
                        case double d: w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
                        case byte[] b: w.WriteBase64StringValue(b); break;
                        case var v: w.WriteStringValue(Text(v)); break;
                    }
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stream.Write("\n"u8);
    }
}
