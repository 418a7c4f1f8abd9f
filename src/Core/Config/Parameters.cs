using System.Globalization;

namespace Core.Config;

/// <summary>The kinds of value a parameter takes, with how a YAML scalar is read as one.</summary>
public enum ParamKind { Int, Long, Double, String, OptionalString }

/// <summary>
/// A settable trial parameter, addressed by its dotted name (<c>model.hidden</c>): how a spec's value
/// is read and applied, how it is checked, and how reports name it.
/// </summary>
public sealed record Param(string Path, ParamKind Kind, Func<TrialConfig, object?, TrialConfig> Apply)
{
    public string Section => Path[..Path.IndexOf('.')];
    public string Key => Path[(Path.IndexOf('.') + 1)..];

    /// <summary>What is wrong with the value in a config, or null when nothing is (null: every value is fine).</summary>
    public Func<TrialConfig, string?>? Check { get; init; }

    /// <summary>For titles and legends, e.g. "hidden size".</summary>
    public string Label { get; init; } = Path;

    /// <summary>For axes and compact labels, e.g. "hidden".</summary>
    public string? Short { get; init; }

    /// <summary>The unit of its values, e.g. "units"; empty when it has none.</summary>
    public string Unit { get; init; } = "";

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

    /// <summary>A value as the spec writes it (<c>2e-3</c>), typed as the config holds it (0.002); the text itself when it does not read as this type.</summary>
    public object Typed(string text) => Read(text, isPlainNull: false) is ({ } value, null) ? value : text;
}

/// <summary>
/// Every trial parameter, defined once: the spec reads and validates by it, the store's
/// <c>trial_summary</c> view types its columns by it, <c>status</c> types grid values by it, and the
/// report names factors by it.
/// </summary>
public static class Parameters
{
    /// <summary>The names other code refers to by name.</summary>
    public const string Cell = "model.cell", Embedding = "model.embedding", Hidden = "model.hidden", SeqLen = "data.seq_len", Seed = "train.seed";

    public static readonly IReadOnlyList<Param> All =
    [
        Text("data.path", (c, v) => c with { Data = c.Data with { Path = v! } }, c => c.Data.Path, v => string.IsNullOrWhiteSpace(v) ? "must name the corpus file" : null),
        OptionalText("data.url", (c, v) => c with { Data = c.Data with { Url = v } }, c => c.Data.Url,
            v => v is not null && !Uri.TryCreate(v, UriKind.Absolute, out _) ? $"must be an absolute URL, got '{v}'" : null),
        OptionalText("data.sha256", (c, v) => c with { Data = c.Data with { Sha256 = v } }, c => c.Data.Sha256,
            v => v is not null && !(v.Length == 64 && v.All(Uri.IsHexDigit)) ? $"must be 64 hexadecimal digits, got '{v}'" : null),
        Double("data.val_fraction", (c, v) => c with { Data = c.Data with { ValFraction = v } }) with
        {
            // Only without a separate validation file.
            Check = c => c.Data.ValPath is null && !(c.Data.ValFraction > 0 && c.Data.ValFraction < 1)
                ? $"must be between 0 and 1 (exclusive), got {Fmt(c.Data.ValFraction)}" : null,
        },
        OptionalText("data.val_path", (c, v) => c with { Data = c.Data with { ValPath = v } }),
        Int(SeqLen, (c, v) => c with { Data = c.Data with { SeqLen = v } }, c => c.Data.SeqLen, Positive) with { Label = "sequence length", Unit = "characters" },

        Text(Cell, (c, v) => c with { Model = c.Model with { Cell = v! } }, c => c.Model.Cell,
            v => TrialConfigValidator.Cells.Contains(v) ? null : $"must be one of {string.Join(", ", TrialConfigValidator.Cells)}, got '{v}'") with { Label = "cell type" },
        Int(Embedding, (c, v) => c with { Model = c.Model with { Embedding = v } }, c => c.Model.Embedding, Positive) with { Label = "embedding size", Unit = "units" },
        Int(Hidden, (c, v) => c with { Model = c.Model with { Hidden = v } }, c => c.Model.Hidden, Positive) with { Label = "hidden size", Unit = "units" },
        Int("model.layers", (c, v) => c with { Model = c.Model with { Layers = v } }, c => c.Model.Layers, Positive) with { Label = "number of layers" },
        Double("model.dropout", (c, v) => c with { Model = c.Model with { Dropout = v } }, c => c.Model.Dropout,
            v => v >= 0 && v < 1 ? null : $"must be in [0, 1), got {Fmt(v)}") with { Label = "dropout" },

        Int("train.batch_size", (c, v) => c with { Train = c.Train with { BatchSize = v } }, c => c.Train.BatchSize, Positive) with { Label = "batch size", Short = "batch", Unit = "windows" },
        Int("train.epochs", (c, v) => c with { Train = c.Train with { Epochs = v } }, c => c.Train.Epochs, Positive) with { Label = "epochs" },
        Int("train.max_steps", (c, v) => c with { Train = c.Train with { MaxSteps = v } }, c => c.Train.MaxSteps, NonNegative) with { Label = "steps per epoch cap" },
        Double("train.lr", (c, v) => c with { Train = c.Train with { Lr = v } }, c => c.Train.Lr, Positive) with { Label = "learning rate" },
        Double("train.clip_norm", (c, v) => c with { Train = c.Train with { ClipNorm = v } }, c => c.Train.ClipNorm, NonNegative) with { Label = "gradient clip norm", Short = "clip" },
        Long(Seed, (c, v) => c with { Train = c.Train with { Seed = v } }),
        Int("train.log_every", (c, v) => c with { Train = c.Train with { LogEvery = v } }, c => c.Train.LogEvery, Positive),
        Int("train.checkpoint_every", (c, v) => c with { Train = c.Train with { CheckpointEvery = v } }, c => c.Train.CheckpointEvery, NonNegative),
        Int("train.val_batches", (c, v) => c with { Train = c.Train with { ValBatches = v } }, c => c.Train.ValBatches, NonNegative),

        Text("probe.text", (c, v) => c with { Probe = c.Probe with { Text = v! } }, c => c.Probe.Text, NotEmpty),
        Int("probe.top_k", (c, v) => c with { Probe = c.Probe with { TopK = v } }, c => c.Probe.TopK, Positive),

        Text("sample.prime", (c, v) => c with { Sample = c.Sample with { Prime = v! } }, c => c.Sample.Prime, NotEmpty),
        Int("sample.length", (c, v) => c with { Sample = c.Sample with { Length = v } }, c => c.Sample.Length, NonNegative),
        Double("sample.temperature", (c, v) => c with { Sample = c.Sample with { Temperature = v } }, c => c.Sample.Temperature, Positive),
        Int("sample.top_k", (c, v) => c with { Sample = c.Sample with { TopK = v } }, c => c.Sample.TopK, NonNegative),
        Long("sample.seed", (c, v) => c with { Sample = c.Sample with { Seed = v } }),
    ];

    public static readonly IReadOnlyDictionary<string, Param> ByPath = All.ToDictionary(p => p.Path);

    /// <summary>The sections of a trial's parameters, in the order a spec and a config have them.</summary>
    public static readonly IReadOnlyList<string> TrialSections = ["data", "model", "train", "probe", "sample"];

    public static IEnumerable<string> KeysOf(string section) => All.Where(p => p.Section == section).Select(p => p.Key);

    /// <summary>(label, short name, unit) of a parameter for titles, legends and axes; a path no parameter has is named by itself.</summary>
    public static (string Label, string Short, string Unit) Describe(string path) =>
        ByPath.TryGetValue(path, out var p) ? (p.Label, p.Short ?? p.Key, p.Unit) : (path, path[(path.LastIndexOf('.') + 1)..], "");

    // --- the rows' shapes and checks -------------------------------------------------------------

    private static Param Int(string path, Func<TrialConfig, int, TrialConfig> apply, Func<TrialConfig, int>? get = null, Func<double, string?>? check = null) =>
        new(path, ParamKind.Int, (c, v) => apply(c, (int)v!)) { Check = get is null || check is null ? null : c => check(get(c)) };

    private static Param Long(string path, Func<TrialConfig, long, TrialConfig> apply) =>
        new(path, ParamKind.Long, (c, v) => apply(c, (long)v!));

    private static Param Double(string path, Func<TrialConfig, double, TrialConfig> apply, Func<TrialConfig, double>? get = null, Func<double, string?>? check = null) =>
        new(path, ParamKind.Double, (c, v) => apply(c, (double)v!)) { Check = get is null || check is null ? null : c => check(get(c)) };

    private static Param Text(string path, Func<TrialConfig, string?, TrialConfig> apply, Func<TrialConfig, string> get, Func<string, string?> check) =>
        new(path, ParamKind.String, (c, v) => apply(c, (string?)v)) { Check = c => check(get(c)) };

    private static Param OptionalText(string path, Func<TrialConfig, string?, TrialConfig> apply, Func<TrialConfig, string?>? get = null, Func<string?, string?>? check = null) =>
        new(path, ParamKind.OptionalString, (c, v) => apply(c, (string?)v)) { Check = get is null || check is null ? null : c => check(get(c)) };

    private static string? Positive(double v) => v > 0 ? null : $"must be greater than 0, got {Fmt(v)}";
    private static string? NonNegative(double v) => v >= 0 ? null : $"must be 0 or more, got {Fmt(v)}";
    private static string? NotEmpty(string v) => string.IsNullOrEmpty(v) ? "must be at least one character" : null;
    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
