using System.Text.Json;
using Core.Config;

namespace Reporting.Analysis;

/// <summary>A trial config flattened to dotted paths ("model.hidden" → 256), in the config's own field order.</summary>
internal static class ConfigFields
{
    public static IReadOnlyList<KeyValuePair<string, Level>> Flatten(TrialConfig config)
    {
        using var doc = JsonDocument.Parse(config.ToCanonicalJson());
        var list = new List<KeyValuePair<string, Level>>();
        Walk(doc.RootElement, "", list);
        return list;
    }

    private static void Walk(JsonElement e, string prefix, List<KeyValuePair<string, Level>> list)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    Walk(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, list);
                break;
            case JsonValueKind.Number:
                list.Add(new(prefix, new Level(e.GetRawText(), e.GetDouble())));
                break;
            case JsonValueKind.String:
                list.Add(new(prefix, new Level(e.GetString()!, null)));
                break;
            default:
                list.Add(new(prefix, new Level(e.GetRawText(), null)));
                break;
        }
    }

    /// <summary>Cells in the order the report shows them: rnn, gru, lstm, then any other by name.</summary>
    public static int CellRank(string cell) => Array.IndexOf(TrialConfigValidator.Cells, cell) is var i and >= 0 ? i : TrialConfigValidator.Cells.Length;
}
