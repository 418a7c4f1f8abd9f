using System.Globalization;
using Core.Config;

namespace Orchestrator.Estimates;

/// <summary>
/// What sets a trial's training speed on a device: the model (cell, embedding, hidden, layers) and
/// the batch (batch_size × seq_len). Trials of the same shape train at the same characters per second.
/// </summary>
internal sealed record TrainingShape(string Cell, int Embedding, int Hidden, int Layers, int BatchSize, int SeqLen)
{
    public static TrainingShape Of(TrialConfig c) => new(c.Model.Cell, c.Model.Embedding, c.Model.Hidden, c.Model.Layers, c.Train.BatchSize, c.Data.SeqLen);

    /// <summary>Multiply-adds per character of a forward pass (recurrent layers and the output layer over a 65-character vocabulary): the measure two shapes' costs are scaled by.</summary>
    public double MultiplyAdds
    {
        get
        {
            var gates = Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
            var first = (double)gates * Hidden * (Embedding + Hidden);
            var more = (Layers - 1) * (double)gates * Hidden * 2 * Hidden;
            return first + more + Hidden * 65.0;
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cell}-{Hidden}{(Layers > 1 ? $"×{Layers}" : "")} emb {Embedding}, batch {BatchSize}, seq {SeqLen}");
}
