using System.Globalization;

namespace Runner.Tests.Support;

/// <summary>A small trial file for tests: a tiny GRU on a generated corpus unless told otherwise.</summary>
public sealed record TinyTrial
{
    public string CorpusPath { get; init; } = "corpus.txt";
    public string? Sha256 { get; init; }
    public string? Url { get; init; }
    public int SeqLen { get; init; } = 16;
    public double? ValFraction { get; init; }
    public string? ValPath { get; init; }
    public string Cell { get; init; } = "gru";
    public int Embedding { get; init; } = 8;
    public int Hidden { get; init; } = 32;
    public int Layers { get; init; } = 1;
    public double Dropout { get; init; }
    public int BatchSize { get; init; } = 8;
    public int Epochs { get; init; } = 2;
    public int MaxSteps { get; init; }
    public double Lr { get; init; } = 0.01;
    public int LogEvery { get; init; } = 10;
    public int CheckpointEvery { get; init; }
    public int ValBatches { get; init; } = 20;
    public string Probe { get; init; } = "peo";
    public string Prime { get; init; } = "JULIET";
    public int SampleLength { get; init; } = 80;

    public string ToYaml()
    {
        static string Q(string s) => "'" + s.Replace("'", "''") + "'";
        static string N(double d) => d.ToString("R", CultureInfo.InvariantCulture);
        return $"""
            data:
              path: {Q(CorpusPath)}
              seq_len: {SeqLen}
            {(Sha256 is null ? "" : $"  sha256: {Sha256}\n")}{(Url is null ? "" : $"  url: {Q(Url)}\n")}{(ValFraction is { } f ? $"  val_fraction: {N(f)}\n" : "")}{(ValPath is null ? "" : $"  val_path: {Q(ValPath)}\n")}model: {"{"} cell: {Cell}, embedding: {Embedding}, hidden: {Hidden}, layers: {Layers}, dropout: {N(Dropout)} {"}"}
            train: {"{"} batch_size: {BatchSize}, epochs: {Epochs}, max_steps: {MaxSteps}, lr: {N(Lr)}, log_every: {LogEvery}, checkpoint_every: {CheckpointEvery}, val_batches: {ValBatches}, seed: 42 {"}"}
            probe: {"{"} text: {Q(Probe)} {"}"}
            sample: {"{"} prime: {Q(Prime)}, length: {SampleLength} {"}"}

            """;
    }
}
