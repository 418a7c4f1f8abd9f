using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads and checks the spec's <c>early_stopping:</c> section, problems located like the rest of the spec.</summary>
internal static class EarlyStoppingSection
{
    private const string Section = "early_stopping";

    private static readonly string[] Keys = ["rule", "metric", "grace_epochs", "min_peers", "reduction_factor"];

    /// <summary>The rule the section names, or null when it has problems (recorded in <paramref name="r"/>).</summary>
    public static EarlyStoppingConfig? Read(Reader r, YamlNode node)
    {
        var mapping = r.Mapping(node, Section);
        if (mapping is null) return null;
        var before = r.Problems.Count;
        string? rule = null;
        var config = new EarlyStoppingConfig(EarlyStoppingConfig.Median);
        var nodes = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"{Section}.{key}";
            nodes[key] = keyNode;
            switch (key)
            {
                case "rule": rule = r.OneOf(valueNode, field, EarlyStoppingConfig.Rules); break;
                case "metric": config = config with { Metric = r.OneOf(valueNode, field, EarlyStoppingConfig.Metrics) ?? config.Metric }; break;
                case "grace_epochs": config = config with { GraceEpochs = r.Int(valueNode, field, min: 1) ?? config.GraceEpochs }; break;
                case "min_peers": config = config with { MinPeers = r.Int(valueNode, field, min: 1) ?? config.MinPeers }; break;
                case "reduction_factor": config = config with { ReductionFactor = r.Int(valueNode, field, min: 2) ?? config.ReductionFactor }; break;
                default: r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, Keys)}"); break;
            }
        }
        if (rule is null && !nodes.ContainsKey("rule"))
            r.Problem(mapping, $"{Section}.rule", $"is required: {string.Join(" or ", EarlyStoppingConfig.Rules)}, e.g. {{ rule: median, metric: val_loss, grace_epochs: 1 }}");
        if (rule == EarlyStoppingConfig.Median && nodes.TryGetValue("reduction_factor", out var factor))
            r.Problem(factor, $"{Section}.reduction_factor", "applies to rule: asha only; the median rule has min_peers");
        if (rule == EarlyStoppingConfig.Asha && nodes.TryGetValue("min_peers", out var peers))
            r.Problem(peers, $"{Section}.min_peers", "applies to rule: median only; asha decides at its rungs from reduction_factor");
        return rule is null || r.Problems.Count > before ? null : config with { Rule = rule };
    }
}
