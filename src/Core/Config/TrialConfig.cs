using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Core.Config;

/// <summary>
/// Everything that determines what one trial trains and records. Its canonical JSON is hashed into
/// the trial id, so two trials with the same resolved config are the same trial.
/// Execution settings (device, threads, parallelism) are deliberately not part of it.
/// </summary>
public sealed record TrialConfig
{
    public DataConfig Data { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public ProbeConfig Probe { get; init; } = new();
    public SampleConfig Sample { get; init; } = new();

    /// <summary>Canonical JSON: fixed property order, snake_case, invariant numbers, no whitespace.</summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(this, CanonicalJson.Options);

    public static TrialConfig FromJson(string json) =>
        JsonSerializer.Deserialize<TrialConfig>(json, CanonicalJson.Options)
        ?? throw new FormatException("trial config JSON is empty");

    /// <summary>Short stable id: the first 12 hex digits of sha256(canonical JSON).</summary>
    public string Id()
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson()));
        return Convert.ToHexStringLower(hash)[..12];
    }
}

public sealed record DataConfig
{
    /// <summary>Path of the training corpus; a relative path resolves against the working directory of the command that runs the trial.</summary>
    public string Path { get; init; } = "data/tinyshakespeare.txt";
    /// <summary>Where to download the corpus from when the file is missing or its sha256 differs; null means never download.</summary>
    public string? Url { get; init; }
    /// <summary>Expected sha256 (hex) of the corpus; null means not checked.</summary>
    public string? Sha256 { get; init; }
    /// <summary>Tail fraction of the corpus held out for validation (ignored when ValPath is set).</summary>
    public double ValFraction { get; init; } = 0.1;
    /// <summary>Optional separate validation file.</summary>
    public string? ValPath { get; init; }
    /// <summary>Characters per training window (the BPTT length).</summary>
    public int SeqLen { get; init; } = 100;
}

public sealed record ModelConfig
{
    /// <summary>rnn (tanh), gru or lstm.</summary>
    public string Cell { get; init; } = "gru";
    public int Embedding { get; init; } = 256;
    public int Hidden { get; init; } = 1024;
    public int Layers { get; init; } = 1;
    /// <summary>Dropout between stacked recurrent layers (only with Layers &gt; 1).</summary>
    public double Dropout { get; init; }
}

public sealed record TrainConfig
{
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 5;
    /// <summary>Optional cap on optimizer steps per epoch (0 = the whole epoch).</summary>
    public int MaxSteps { get; init; }
    public double Lr { get; init; } = 0.002;
    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public double ClipNorm { get; init; } = 5.0;
    public long Seed { get; init; } = 42;
    /// <summary>Log training loss every N steps.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Extra checkpoint every N steps (0 = only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Validation batches per evaluation (0 = the whole validation split).</summary>
    public int ValBatches { get; init; }
}

public sealed record ProbeConfig
{
    /// <summary>Text whose next character is predicted at every checkpoint.</summary>
    public string Text { get; init; } = "peo";
    public int TopK { get; init; } = 5;
}

public sealed record SampleConfig
{
    public string Prime { get; init; } = "JULIET";
    public int Length { get; init; } = 600;
    public double Temperature { get; init; } = 0.8;
    /// <summary>Sample only among the k most likely characters (0 = all).</summary>
    public int TopK { get; init; }
    public long Seed { get; init; } = 1234;
}

internal static class CanonicalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
