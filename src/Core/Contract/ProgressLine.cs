using System.Text.Json;
using System.Text.Json.Serialization;

namespace Core.Contract;

/// <summary>
/// The line format of <see cref="RunnerEvent"/>s on the Runner's stdout: <c>@progress </c> and one
/// JSON object (snake_case keys, <c>event</c> first; NaN and infinities as strings). Both sides
/// format and parse through here. A line that is not a complete, known event parses to null, so a
/// stray or damaged line never fails a trial. See docs/contract.md.
/// </summary>
public static class ProgressLine
{
    public const string Prefix = "@progress ";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // A line missing a field, or with null where text belongs, is malformed, not a zero or an empty name.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        AllowOutOfOrderMetadataProperties = true,
    };

    public static string Format(RunnerEvent e) => Prefix + JsonSerializer.Serialize(e, Json);

    /// <summary>The event on a stdout line; null if the line is not a progress line or not a well-formed known event.</summary>
    public static RunnerEvent? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunnerEvent>(line.AsSpan(Prefix.Length), Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
