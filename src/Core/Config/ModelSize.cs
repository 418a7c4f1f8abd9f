namespace Core.Config;

/// <summary>
/// The size of the character model a config describes, as PyTorch builds it: Embedding(V, E) →
/// <c>layers</c> of rnn/gru/lstm with two bias vectors per gate (g gates: rnn 1, gru 3, lstm 4;
/// g(EH + HH + 2H) for the first layer, g(2HH + 2H) for each further one) → Linear(H, V).
/// Counted in doubles: an absurd config must give a huge number, not an overflow.
/// </summary>
public static class ModelSize
{
    /// <summary>Bytes per parameter while training with Adam in float32: the weight, its gradient and Adam's two moments.</summary>
    public const int TrainingBytesPerParameter = 16;

    public static double Parameters(ModelConfig model, int vocabSize)
    {
        double e = model.Embedding, h = model.Hidden, v = vocabSize;
        double gates = model.Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
        var recurrent = gates * (e * h + h * h + 2 * h) + (model.Layers - 1) * gates * (2 * h * h + 2 * h);
        return v * e + recurrent + h * v + v;
    }

    /// <summary>"1.5 GiB", "426.3 PiB".</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1) { bytes /= 1024; unit++; }
        return $"{bytes.ToString(unit == 0 ? "0" : "0.0", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
