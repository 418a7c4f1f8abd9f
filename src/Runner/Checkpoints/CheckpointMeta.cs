using System.Text.Json;
using Runner.Training;

namespace Runner.Checkpoints;

/// <summary>
/// What a checkpoint says about itself besides tensors: whose it is, where training stood
/// (completed epochs, global step, batches done in the epoch in progress, that epoch's running
/// sums), the vocabulary and the config it was trained with.
/// </summary>
public sealed record CheckpointMeta
{
    public string TrialId { get; init; } = "";
    public string Name { get; init; } = "";
    /// <summary>Completed epochs.</summary>
    public int Epoch { get; init; }
    /// <summary>Optimizer steps taken so far (global).</summary>
    public long Step { get; init; }
    /// <summary>Batches of epoch <c>Epoch + 1</c> already trained (0 at an epoch boundary).</summary>
    public int BatchInEpoch { get; init; }
    public EpochStats Partial { get; init; } = new();
    /// <summary>The vocabulary: token i is Vocab[i].</summary>
    public string Vocab { get; init; } = "";
    public string ConfigJson { get; init; } = "";
    public string Device { get; init; } = "";
    public string CreatedAt { get; init; } = "";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static CheckpointMeta FromJson(string json) => JsonSerializer.Deserialize<CheckpointMeta>(json, Json) ?? throw new FormatException("empty checkpoint metadata");
}
