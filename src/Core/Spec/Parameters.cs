using System.Globalization;
using Core.Config;

namespace Core.Spec;

/// <summary>The kinds of value a parameter takes, with how a YAML scalar is read as one.</summary>
internal enum ParamKind { Int, Long, Double, String, OptionalString }

/// <summary>A settable trial parameter, addressed by its dotted name (<c>model.hidden</c>).</summary>
internal sealed record Param(string Path, ParamKind Kind, Func<TrialConfig, object?, TrialConfig> Apply)
{
    public string Section => Path[..Path.IndexOf('.')];
    public string Key => Path[(Path.IndexOf('.') + 1)..];

    /// <summary>Reads a scalar as this parameter's type; null with an error message when it does not fit.</summary>
    public (object? Value, string? Error) Read(string? text, bool isPlainNull)
    {
        switch (Kind)
        {
            case ParamKind.Int:
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                    ? (i, null) : (null, $"must be a whole number, got '{text}'");
            case ParamKind.Long:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                    ? (l, null) : (null, $"must be a whole number, got '{text}'");
            case ParamKind.Double:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? (d, null) : (null, $"must be a number, got '{text}'");
            case ParamKind.OptionalString:
                return isPlainNull ? (null, null) : (text ?? "", null);
            default:
                return isPlainNull ? (null, "must be text, got null") : (text ?? "", null);
        }
    }
}

/// <summary>Every trial parameter a spec may set or list in its grid.</summary>
internal static class Parameters
{
    public static readonly IReadOnlyList<Param> All =
    [
        new("data.path", ParamKind.String, (c, v) => c with { Data = c.Data with { Path = (string)v! } }),
        new("data.url", ParamKind.OptionalString, (c, v) => c with { Data = c.Data with { Url = (string?)v } }),
        new("data.sha256", ParamKind.OptionalString, (c, v) => c with { Data = c.Data with { Sha256 = (string?)v } }),
        new("data.val_fraction", ParamKind.Double, (c, v) => c with { Data = c.Data with { ValFraction = (double)v! } }),
        new("data.val_path", ParamKind.OptionalString, (c, v) => c with { Data = c.Data with { ValPath = (string?)v } }),
        new("data.seq_len", ParamKind.Int, (c, v) => c with { Data = c.Data with { SeqLen = (int)v! } }),

        new("model.cell", ParamKind.String, (c, v) => c with { Model = c.Model with { Cell = (string)v! } }),
        new("model.embedding", ParamKind.Int, (c, v) => c with { Model = c.Model with { Embedding = (int)v! } }),
        new("model.hidden", ParamKind.Int, (c, v) => c with { Model = c.Model with { Hidden = (int)v! } }),
        new("model.layers", ParamKind.Int, (c, v) => c with { Model = c.Model with { Layers = (int)v! } }),
        new("model.dropout", ParamKind.Double, (c, v) => c with { Model = c.Model with { Dropout = (double)v! } }),

        new("train.batch_size", ParamKind.Int, (c, v) => c with { Train = c.Train with { BatchSize = (int)v! } }),
        new("train.epochs", ParamKind.Int, (c, v) => c with { Train = c.Train with { Epochs = (int)v! } }),
        new("train.max_steps", ParamKind.Int, (c, v) => c with { Train = c.Train with { MaxSteps = (int)v! } }),
        new("train.lr", ParamKind.Double, (c, v) => c with { Train = c.Train with { Lr = (double)v! } }),
        new("train.clip_norm", ParamKind.Double, (c, v) => c with { Train = c.Train with { ClipNorm = (double)v! } }),
        new("train.seed", ParamKind.Long, (c, v) => c with { Train = c.Train with { Seed = (long)v! } }),
        new("train.log_every", ParamKind.Int, (c, v) => c with { Train = c.Train with { LogEvery = (int)v! } }),
        new("train.checkpoint_every", ParamKind.Int, (c, v) => c with { Train = c.Train with { CheckpointEvery = (int)v! } }),
        new("train.val_batches", ParamKind.Int, (c, v) => c with { Train = c.Train with { ValBatches = (int)v! } }),

        new("probe.text", ParamKind.String, (c, v) => c with { Probe = c.Probe with { Text = (string)v! } }),
        new("probe.top_k", ParamKind.Int, (c, v) => c with { Probe = c.Probe with { TopK = (int)v! } }),

        new("sample.prime", ParamKind.String, (c, v) => c with { Sample = c.Sample with { Prime = (string)v! } }),
        new("sample.length", ParamKind.Int, (c, v) => c with { Sample = c.Sample with { Length = (int)v! } }),
        new("sample.temperature", ParamKind.Double, (c, v) => c with { Sample = c.Sample with { Temperature = (double)v! } }),
        new("sample.top_k", ParamKind.Int, (c, v) => c with { Sample = c.Sample with { TopK = (int)v! } }),
        new("sample.seed", ParamKind.Long, (c, v) => c with { Sample = c.Sample with { Seed = (long)v! } }),
    ];

    public static readonly IReadOnlyDictionary<string, Param> ByPath = All.ToDictionary(p => p.Path);

    public static readonly IReadOnlyList<string> TrialSections = ["data", "model", "train", "probe", "sample"];

    public static IEnumerable<string> KeysOf(string section) => All.Where(p => p.Section == section).Select(p => p.Key);
}
