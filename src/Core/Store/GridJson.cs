using System.Text.Json;
using Core.Config;

namespace Core.Store;

/// <summary>
/// A trial's grid values as a sweep keeps them (<c>sweep_trials.grid_json</c>): a JSON object of the
/// values as the spec writes them, in the spec's order, e.g. <c>{"model.cell":"gru","train.lr":"2e-3"}</c>.
/// </summary>
internal static class GridJson
{
    public static string Write(IReadOnlyDictionary<string, string> grid) => JsonSerializer.Serialize(grid);

    public static IReadOnlyDictionary<string, string> Read(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    /// <summary>The values typed as the trial's config holds them and <c>query</c> returns them (<c>"2e-3"</c> → 0.002), by <see cref="Parameters"/>.</summary>
    public static IReadOnlyDictionary<string, object> Typed(IReadOnlyDictionary<string, string> grid) =>
        grid.ToDictionary(kv => kv.Key, kv => Parameters.ByPath.TryGetValue(kv.Key, out var p) ? p.Typed(kv.Value) : kv.Value);
}
