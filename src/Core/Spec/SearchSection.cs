using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads and checks the spec's <c>search:</c> section and the distributions of <c>grid:</c> lines, problems located like the rest of the spec.</summary>
internal static class SearchSection
{
    private const string Section = "search";
    private static readonly string[] Keys = ["method", "trials", "seed", "max_trials"];

    public static SearchConfig Read(Reader r, YamlNode node)
    {
        var search = new SearchConfig();
        var mapping = r.Mapping(node, Section);
        if (mapping is null) return search;
        var nodes = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"{Section}.{key}";
            nodes[key] = keyNode;
            switch (key)
            {
                case "method": search = search with { Method = r.OneOf(valueNode, field, SearchConfig.Methods) ?? search.Method }; break;
                case "trials": search = search with { Trials = r.Int(valueNode, field, min: 1) }; break;
                case "seed": search = search with { Seed = Long(r, valueNode, field, min: long.MinValue) ?? search.Seed }; break;
                case "max_trials": search = search with { MaxTrials = r.Int(valueNode, field, min: 1) ?? search.MaxTrials }; break;
                default: r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, Keys)}"); break;
            }
        }
        if (search.Sampled && !nodes.ContainsKey("trials"))
            r.Problem(mapping, $"{Section}.trials", "is required with method: random: how many configurations to draw, e.g. trials: 24");
        if (!search.Sampled && nodes.TryGetValue("trials", out var trials))
            r.Problem(trials, $"{Section}.trials", "applies to method: random only; a grid has as many trials as the product of its lists");
        if (!search.Sampled && nodes.TryGetValue("seed", out var seed))
            r.Problem(seed, $"{Section}.seed", "applies to method: random only; a grid draws nothing");
        return search;
    }

    /// <summary>
    /// A <c>grid:</c> line given as a mapping: one distribution (<c>uniform: [low, high]</c>, <c>log_uniform</c>,
    /// <c>int_uniform</c>, or <c>choice: [values]</c>). Null, with a problem, when it is not one that fits the parameter.
    /// </summary>
    public static GridAxis? ReadDistribution(Reader r, Config.Param param, YamlMappingNode node, string field, Func<YamlSequenceNode, List<GridValue>?> readList)
    {
        if (node.Children.Count != 1 || node.Children.Keys.Single() is not YamlScalarNode { Value: { } kind })
        {
            r.Problem(node, field, $"must be a list of values, or one distribution: {string.Join(", ", Distributions.All.Select(d => d + ": [...]"))}");
            return null;
        }
        var keyNode = node.Children.Keys.Single();
        var bounds = node.Children.Values.Single();
        if (!Distributions.All.Contains(kind))
        {
            r.Problem(keyNode, field, $"unknown distribution '{kind}'; {Suggest.Hint(kind, Distributions.All).Replace("valid keys", "known distributions")}");
            return null;
        }
        if (bounds is not YamlSequenceNode seq)
        {
            r.Problem(bounds, field, kind == Distributions.Choice ? "choice must be a list of values, e.g. choice: [256, 512, 1024]" : $"{kind} must be [low, high], e.g. {kind}: {Example(kind)}");
            return null;
        }
        if (kind == Distributions.Choice)
            return readList(seq) is { Count: > 0 } values ? new GridAxis(param, values, node, Kind: kind) : null;

        var integer = param.Kind is Config.ParamKind.Int or Config.ParamKind.Long;
        if (param.Kind is Config.ParamKind.String or Config.ParamKind.OptionalString)
        {
            r.Problem(keyNode, field, $"{param.Path} takes text; draw it with choice: [...]");
            return null;
        }
        if (kind == Distributions.IntUniform != integer)
        {
            r.Problem(keyNode, field, integer
                ? $"{kind} draws real numbers, but {param.Path} takes whole numbers; use int_uniform: [low, high] or choice: [...]"
                : $"int_uniform draws whole numbers, but {param.Path} takes real numbers; use uniform: [low, high] or log_uniform: [low, high]");
            return null;
        }
        if (seq.Children.Count != 2)
        {
            r.Problem(seq, field, $"{kind} must be [low, high], two numbers, e.g. {kind}: {Example(kind)}; got {seq.Children.Count}");
            return null;
        }
        var low = Number(r, seq.Children[0], field, integer);
        var high = Number(r, seq.Children[1], field, integer);
        if (low is null || high is null) return null;
        if (!(low < high))
        {
            r.Problem(seq, field, $"{kind}'s low must be below its high, got [{Text(seq.Children[0])}, {Text(seq.Children[1])}]");
            return null;
        }
        if (kind == Distributions.LogUniform && low <= 0)
        {
            r.Problem(seq.Children[0], field, $"log_uniform's low must be greater than 0 (it draws the logarithm uniformly), got {Text(seq.Children[0])}");
            return null;
        }
        return new GridAxis(param, [], node, new Distribution(kind, low.Value, high.Value), kind);
    }

    private static string Example(string kind) => kind switch
    {
        Distributions.IntUniform => "[64, 512]",
        Distributions.LogUniform => "[0.0005, 0.005]",
        _ => "[0.0, 0.3]",
    };

    private static double? Number(Reader r, YamlNode node, string field, bool integer)
    {
        if (integer) return Long(r, node, field, min: long.MinValue);
        return r.Double(node, field);
    }

    private static long? Long(Reader r, YamlNode node, string field, long min)
    {
        var text = r.Scalar(node, field);
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) { r.Problem(node, field, $"must be a whole number, got '{text}'"); return null; }
        if (v < min) { r.Problem(node, field, $"must be at least {min}, got {v}"); return null; }
        return v;
    }

    private static string Text(YamlNode node) => (node as YamlScalarNode)?.Value ?? "?";
}
