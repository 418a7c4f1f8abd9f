using Core.Store;

namespace Runner.Model;

/// <summary>
/// The seed's Keras-style summary computed from the live module: one row per layer (embedding,
/// each recurrent layer as gru, gru_1, …, dense), its output shape with the batch size and a
/// free time axis, and its parameter count.
/// </summary>
internal static class ArchitectureSummary
{
    public static IReadOnlyList<ArchitectureRow> Of(CharRnn model, string trialId, int batchSize)
    {
        var config = model.Config;
        var cellType = config.Cell.ToUpperInvariant();
        var named = model.named_parameters().Select(p => (p.name, Count: p.parameter.numel())).ToList();
        long Sum(Func<string, bool> match) => named.Where(p => match(p.name)).Sum(p => p.Count);

        var rows = new List<ArchitectureRow>
        {
            Row(0, "embedding", "Embedding", config.Embedding, Sum(n => n.StartsWith("embedding.", StringComparison.Ordinal))),
        };
        for (var layer = 0; layer < config.Layers; layer++)
        {
            var suffix = $"_l{layer}";
            rows.Add(Row(rows.Count, layer == 0 ? config.Cell : $"{config.Cell}_{layer}", cellType, config.Hidden,
                Sum(n => n.StartsWith("rnn.", StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal))));
        }
        rows.Add(Row(rows.Count, "dense", "Linear", model.VocabSize, Sum(n => n.StartsWith("dense.", StringComparison.Ordinal))));
        return rows;

        ArchitectureRow Row(int ordinal, string layer, string type, long width, long parameters) => new()
        {
            TrialId = trialId,
            Ordinal = ordinal,
            Layer = layer,
            Type = type,
            OutputShape = $"({batchSize}, None, {width})",
            Params = parameters,
        };
    }

    /// <summary>Megabytes of float32 parameters, as the seed's "Total params: N (15.35 MB)".</summary>
    public static double Megabytes(long parameters) => parameters * 4 / (1024.0 * 1024.0);
}
