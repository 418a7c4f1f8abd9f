using System.Text;

namespace Reporting.Latex;

/// <summary>
/// One booktabs table in a <c>table</c> float: caption, label, header, rows (cells already LaTeX; a null row is a
/// <c>\midrule</c>). Needs <c>\usepackage{booktabs}</c>.
/// </summary>
internal sealed class TexTable(string caption, string label, string columns, IReadOnlyList<string> header)
{
    private readonly List<IReadOnlyList<string>?> _rows = [];
    private string? _group;

    /// <summary>
    /// A header line above the column names that spans the <paramref name="count"/> columns from <paramref name="first"/>
    /// (0-based) with <paramref name="title"/>, underlined by a <c>\cmidrule</c>.
    /// </summary>
    public TexTable Group(int first, int count, string title)
    {
        var cells = new List<string>();
        if (first > 0) cells.Add(string.Join(" & ", Enumerable.Repeat("", first)));
        cells.Add($"\\multicolumn{{{count}}}{{c}}{{{title}}}");
        var rest = header.Count - first - count;
        if (rest > 0) cells.Add(string.Join(" & ", Enumerable.Repeat("", rest)));
        _group = string.Join(" & ", cells) + $" \\\\\n    \\cmidrule(lr){{{first + 1}-{first + count}}}\n";
        return this;
    }

    public TexTable Row(IReadOnlyList<string> cells)
    {
        if (cells.Count != header.Count) throw new InvalidOperationException($"LaTeX table row has {cells.Count} cells, header {header.Count}");
        _rows.Add(cells);
        return this;
    }

    public TexTable Rule()
    {
        if (_rows.Count > 0 && _rows[^1] is not null) _rows.Add(null);
        return this;
    }

    public void WriteTo(StringBuilder sb)
    {
        sb.Append("\\begin{table}[htbp]\n  \\centering\n");
        sb.Append("  \\caption{").Append(caption).Append("}\n");
        sb.Append("  \\label{").Append(label).Append("}\n");
        sb.Append("  \\begin{tabular}{").Append(columns).Append("}\n");
        sb.Append("    \\toprule\n");
        if (_group is not null) sb.Append("    ").Append(_group);
        sb.Append("    ").Append(string.Join(" & ", header)).Append(" \\\\\n");
        sb.Append("    \\midrule\n");
        var rows = _rows.Count > 0 && _rows[^1] is null ? _rows.SkipLast(1) : _rows;
        foreach (var row in rows)
            sb.Append(row is null ? "    \\midrule\n" : "    " + string.Join(" & ", row) + " \\\\\n");
        sb.Append("    \\bottomrule\n  \\end{tabular}\n\\end{table}\n\n");
    }
}
