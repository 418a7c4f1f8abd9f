using System.Text.Json;
using System.Text.Json.Serialization;
using Runner.Progress;

namespace Runner.Checkpoints;

/// <summary>
/// What a checkpoint says about itself besides tensors: whose it is, where training stood, the
/// vocabulary and the config it was trained with.
/// </summary>
internal sealed record CheckpointMeta
{
    public string TrialId { get; init; } = "";
    public string Name { get; init; } = "";
    /// <summary>Where training stood when the checkpoint was written; a resumed run starts here.</summary>
    public Position Position { get; init; } = Position.Start;
    /// <summary>The vocabulary: token i is Vocab[i].</summary>
    public string Vocab { get; init; } = "";
    public string ConfigJson { get; init; } = "";
    public string Device { get; init; } = "";
    /// <summary>When it was written (<see cref="Core.Store.Timestamps.Format"/>; format 1 files wrote ISO 8601 "O").</summary>
    public string CreatedAt { get; init; } = "";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses the metadata of a file of <paramref name="format"/> 2, or of format 1, which kept the position's fields at the top level.</summary>
    public static CheckpointMeta FromJson(string json, int format) => format == 1
        ? (JsonSerializer.Deserialize<FormatOne>(json, Json) ?? throw new FormatException("empty checkpoint metadata")).ToMeta()
        : JsonSerializer.Deserialize<CheckpointMeta>(json, Json) ?? throw new FormatException("empty checkpoint metadata");

    /// <summary>The metadata of format 1 files.</summary>
    private sealed record FormatOne(string TrialId, string Name, int Epoch, long Step, int BatchInEpoch, EpochStats? Partial, string Vocab, string ConfigJson, string Device, string CreatedAt)
    {
        public CheckpointMeta ToMeta() => new()
        {
            TrialId = TrialId, Name = Name, Position = new Position(Epoch, Step, BatchInEpoch, Partial ?? new EpochStats()),
            Vocab = Vocab, ConfigJson = ConfigJson, Device = Device, CreatedAt = CreatedAt,
        };
    }
}
