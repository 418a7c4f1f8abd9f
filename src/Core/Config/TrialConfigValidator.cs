namespace Core.Config;

/// <summary>Range and value checks on a resolved trial config. Type and unknown-key checks belong to the YAML loader.</summary>
public static class TrialConfigValidator
{
    public static readonly string[] Cells = ["rnn", "gru", "lstm"];

    public static IReadOnlyList<ConfigProblem> Validate(TrialConfig c) => Validate(c, MachineMemory.TotalBytes);

    /// <summary>
    /// Each parameter's own check (<see cref="Param.Check"/>), section by section, and after the model's
    /// the model's training memory held against <paramref name="memoryBytes"/>.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> Validate(TrialConfig c, long memoryBytes)
    {
        var p = new List<ConfigProblem>();
        foreach (var section in Parameters.TrialSections)
        {
            foreach (var param in Parameters.All.Where(x => x.Section == section))
                if (param.Check?.Invoke(c) is { } message) p.Add(new(param.Path, message));
            if (section == "model" && !p.Any(x => x.Field.StartsWith("model.", StringComparison.Ordinal)) && TooLarge(c.Model, memoryBytes) is { } tooLarge)
                p.Add(tooLarge);
        }
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
        var field = m.Embedding > m.Hidden ? Parameters.Embedding : Parameters.Hidden;
        return new(field, $"a {m.Cell} of {m.Layers} × {m.Hidden} units on embedding {m.Embedding} has at least {parameters:N0} parameters, " +
                          $"which need {ModelSize.Bytes(bytes)} to train ({ModelSize.TrainingBytesPerParameter} bytes each for the weight, its gradient " +
                          $"and Adam's two moments), more than this machine's {ModelSize.Bytes(memoryBytes)} of memory");
    }
}
