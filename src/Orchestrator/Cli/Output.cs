using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Orchestrator.Cli;

/// <summary>
/// How commands print: Spectre tables and markup on a terminal; plain, aligned, uncoloured text
/// when stdout is redirected (a file, a pipe, a test), so scripts can read it.
/// </summary>
internal static class Output
{
    public static bool IsTerminal => !Console.IsOutputRedirected;

    /// <summary>Prints a table: boxed on a terminal, space-aligned columns otherwise.</summary>
    public static void Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows, string? title = null)
    {
        var data = rows.ToList();
        if (!IsTerminal) data = data.Select(r => (IReadOnlyList<string>)r.Select(OneLine).ToList()).ToList();
        if (IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            if (title is not null) table.Title($"[bold]{Markup.Escape(title)}[/]");
            foreach (var c in columns) table.AddColumn(new TableColumn($"[bold]{Markup.Escape(c)}[/]"));
            foreach (var r in data) table.AddRow(r.Select(v => new Markup(Markup.Escape(v))).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        if (title is not null) Console.Out.WriteLine(title);
        var widths = columns.Select((c, i) => Math.Max(c.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            sb.Clear();
            for (var i = 0; i < cells.Count; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i]));
            }
            Console.Out.WriteLine(sb.ToString().TrimEnd());
        }
        Line(columns);
        foreach (var r in data) Line(r);
    }

    /// <summary>Line breaks shown as \n so that one row stays on one line.</summary>
    private static string OneLine(string s) => s.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static void Info(string text)
    {
        if (IsTerminal) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.Out.WriteLine(text);
    }

    /// <summary>A warning for the user, on stderr: something is wrong but the command goes on.</summary>
    public static void Warning(string text) =>
        Console.Error.WriteLine(Console.IsErrorRedirected ? $"warning: {text}" : $"\u001b[33mwarning:\u001b[0m {text}");

    /// <summary>An error for the user, on stderr.</summary>
    public static void Error(string text) =>
        Console.Error.WriteLine(Console.IsErrorRedirected ? $"error: {text}" : $"\u001b[31merror:\u001b[0m {text}");
}
