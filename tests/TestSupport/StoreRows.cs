using System.Globalization;
using System.Text;
using System.Text.Json;
using Core.Store;
using Dapper;

namespace TestSupport;

/// <summary>
/// Every row of every table of a store, on either engine, as sorted lines of text that do not depend
/// on the engine's types (an INTEGER read back as int or long prints the same; a float prints in
/// round-trip form), to compare two stores or one store before and after.
/// </summary>
public static class StoreRows
{
    public static IReadOnlyList<string> Of(Database db, string? table = null)
    {
        using var c = db.Connect();
        var lines = new List<string>();
        foreach (var t in Schema.Tables.Where(t => table is null || t.Name == table))
        {
            foreach (IDictionary<string, object?> row in c.Query($"SELECT * FROM {t.Name}"))
            {
                var sb = new StringBuilder(t.Name).Append(':');
                foreach (var (column, value) in row.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    sb.Append(' ').Append(column).Append('=').Append(Text(value));
                lines.Add(sb.ToString());
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public static string Text(object? value) => value switch
    {
        null or DBNull => "NULL",
        int or long or short => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        string s => JsonSerializer.Serialize(s),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
