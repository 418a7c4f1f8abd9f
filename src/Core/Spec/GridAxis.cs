using Core.Config;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>A parameter's value as the spec sets it, with the YAML node it came from (to locate problems).</summary>
internal sealed record SpecValue(object? Value, YamlNode Node);

/// <summary>One value of a grid list: the parsed value, its text as written, and its node.</summary>
internal sealed record GridValue(object? Value, string Text, YamlNode Node);

/// <summary>One line of <c>grid:</c>: the parameter it varies and the values it takes, in the spec's order.</summary>
internal sealed record GridAxis(Param Param, IReadOnlyList<GridValue> Values);
