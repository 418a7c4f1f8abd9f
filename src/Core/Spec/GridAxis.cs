using Core.Config;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>A parameter's value as the spec sets it, with the YAML node it came from (to locate problems).</summary>
internal sealed record SpecValue(object? Value, YamlNode Node);

/// <summary>One value of a grid list: the parsed value, its text as written, and its node.</summary>
internal sealed record GridValue(object? Value, string Text, YamlNode Node);

/// <summary>
/// One line of <c>grid:</c>: the parameter it varies and the values it takes, in the spec's order, at
/// <paramref name="Node"/>. A sampled line has a <paramref name="Distribution"/> instead of values, or is
/// a <c>choice</c> among its values; <paramref name="Kind"/> names which (null: a plain list).
/// </summary>
internal sealed record GridAxis(Param Param, IReadOnlyList<GridValue> Values, YamlNode Node, Distribution? Distribution = null, string? Kind = null)
{
    /// <summary>The value of this line for a draw <paramref name="u"/> ∈ [0, 1): from its distribution, or one of its values, each as likely.</summary>
    public GridValue Draw(double u)
    {
        if (Distribution is null) return Values[Math.Min(Values.Count - 1, (int)(u * Values.Count))];
        var text = Distribution.Draw(u);
        return new GridValue(Param.Typed(text), text, Node);
    }
}
