namespace Core.Config;

/// <summary>Range and value checks on a resolved trial config. Type and unknown-key checks belong to the YAML loader.</summary>
public static class TrialConfigValidator
{
    public static readonly string[] Cells = ["rnn", "gru", "lstm"];

    public static IReadOnlyList<ConfigProblem> Validate(TrialConfig c) => Validate(c, MachineMemory.TotalBytes);

    /// <summary>The checks, with the model's training memory held against <paramref name="memoryBytes"/>.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(TrialConfig c, long memoryBytes)
    {
        var p = new List<ConfigProblem>();
        void Positive(string field, double v) { if (!(v > 0)) p.Add(new(field, $"must be greater than 0, got {Fmt(v)}")); }
        void NonNegative(string field, double v) { if (!(v >= 0)) p.Add(new(field, $"must be 0 or more, got {Fmt(v)}")); }

        if (string.IsNullOrWhiteSpace(c.Data.Path)) p.Add(new("data.path", "must name the corpus file"));
        if (c.Data.Sha256 is { } sha && !IsSha256(sha)) p.Add(new("data.sha256", $"must be 64 hexadecimal digits, got '{sha}'"));
        if (c.Data.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _)) p.Add(new("data.url", $"must be an absolute URL, got '{url}'"));
        if (c.Data.ValPath is null && !(c.Data.ValFraction > 0 && c.Data.ValFraction < 1))
            p.Add(new("data.val_fraction", $"must be between 0 and 1 (exclusive), got {Fmt(c.Data.ValFraction)}"));
        Positive("data.seq_len", c.Data.SeqLen);

        if (!Cells.Contains(c.Model.Cell))
            p.Add(new("model.cell", $"must be one of {string.Join(", ", Cells)}, got '{c.Model.Cell}'"));
        Positive("model.embedding", c.Model.Embedding);
        Positive("model.hidden", c.Model.Hidden);
        Positive("model.layers", c.Model.Layers);
        if (!(c.Model.Dropout >= 0 && c.Model.Dropout < 1)) p.Add(new("model.dropout", $"must be in [0, 1), got {Fmt(c.Model.Dropout)}"));
        if (!p.Any(x => x.Field.StartsWith("model.", StringComparison.Ordinal)) && TooLarge(c.Model, memoryBytes) is { } tooLarge) p.Add(tooLarge);

        Positive("train.batch_size", c.Train.BatchSize);
        Positive("train.epochs", c.Train.Epochs);
        NonNegative("train.max_steps", c.Train.MaxSteps);
        Positive("train.lr", c.Train.Lr);
        NonNegative("train.clip_norm", c.Train.ClipNorm);
        Positive("train.log_every", c.Train.LogEvery);
        NonNegative("train.checkpoint_every", c.Train.CheckpointEvery);
        NonNegative("train.val_batches", c.Train.ValBatches);

        if (string.IsNullOrEmpty(c.Probe.Text)) p.Add(new("probe.text", "must be at least one character"));
        Positive("probe.top_k", c.Probe.TopK);

        if (string.IsNullOrEmpty(c.Sample.Prime)) p.Add(new("sample.prime", "must be at least one character"));
        NonNegative("sample.length", c.Sample.Length);
        Positive("sample.temperature", c.Sample.Temperature);
        NonNegative("sample.top_k", c.Sample.TopK);
        return p;
    }

    /// <summary>
    /// A model whose parameters alone cannot be trained in this machine's memory: the allocation
    /// would fail every time, so it is refused here, saying how large it would be. The vocabulary
    /// (unknown before the corpus is read) counts as one character, so the size is a lower bound.
    /// </summary>
    private static ConfigProblem? TooLarge(ModelConfig m, long memoryBytes)
    {
        var parameters = ModelSize.Parameters(m, vocabSize: 1);
        var bytes = parameters * ModelSize.TrainingBytesPerParameter;
        if (bytes <= memoryBytes) return null;
        var field = m.Embedding > m.Hidden ? "model.embedding" : "model.hidden";
        return new(field, $"a {m.Cell} of {m.Layers} × {m.Hidden} units on embedding {m.Embedding} has at least {parameters:N0} parameters, " +
                          $"which need {ModelSize.Bytes(bytes)} to train ({ModelSize.TrainingBytesPerParameter} bytes each for the weight, its gradient " +
                          $"and Adam's two moments), more than this machine's {ModelSize.Bytes(memoryBytes)} of memory");
    }

    private static bool IsSha256(string s) => s.Length == 64 && s.All(Uri.IsHexDigit);
    private static string Fmt(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
