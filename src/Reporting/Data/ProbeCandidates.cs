using System.Text.Json;
using Core.Store;

namespace Reporting.Data;

/// <summary>One candidate next character of a probe with its probability.</summary>
internal sealed record ProbeCandidate(string Char, double P);

internal static class ProbeCandidates
{
    /// <summary>The candidates of a probe's top_json, most likely first; a malformed value gives none (the report says so).</summary>
    public static IReadOnlyList<ProbeCandidate> Of(ProbeRow probe)
    {
        try
        {
            using var doc = JsonDocument.Parse(probe.TopJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return [];
            var list = new List<ProbeCandidate>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                if (e.TryGetProperty("char", out var c) && c.ValueKind == JsonValueKind.String
                    && e.TryGetProperty("p", out var p) && p.ValueKind == JsonValueKind.Number)
                    list.Add(new ProbeCandidate(c.GetString()!, p.GetDouble()));
            }
            return list;
        }
        catch (JsonException) { return []; }
    }
}
