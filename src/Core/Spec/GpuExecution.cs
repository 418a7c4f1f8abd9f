using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads the execution key <c>gpus</c>: which GPUs a run uses.</summary>
internal static class GpuExecution
{
    /// <summary><c>auto</c> (null) or a non-empty list of distinct CUDA device ids.</summary>
    public static IReadOnlyList<int>? ReadGpus(Reader r, YamlNode node, string field)
    {
        const string example = "write auto (every GPU visible to the process) or list CUDA device ids, e.g. [0, 1]";
        if (node is YamlScalarNode { Value: "auto" }) return null;
        if (node is not YamlSequenceNode list)
        {
            r.Problem(node, field, $"must be auto or a list; {example}");
            return null;
        }
        if (list.Children.Count == 0)
        {
            r.Problem(node, field, $"is an empty list; {example}");
            return null;
        }
        var ids = new List<int>();
        foreach (var item in list.Children)
        {
            var text = (item as YamlScalarNode)?.Value;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                r.Problem(item, field, $"lists '{text ?? item.ToString()}', which is not a CUDA device id (0, 1, …)");
            else if (ids.Contains(id))
                r.Problem(item, field, $"lists GPU {id} twice");
            else
                ids.Add(id);
        }
        return ids;
    }
}
