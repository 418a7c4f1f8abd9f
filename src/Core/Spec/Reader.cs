using System.Globalization;
using Core.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads typed values from YAML nodes, collecting a located problem for each one that does not fit.</summary>
internal sealed class Reader(string file)
{
    private readonly List<SpecProblem> problems = [];

    public IReadOnlyList<SpecProblem> Problems => problems;

    public void Problem(YamlNode node, string field, string message) =>
        problems.Add(new SpecProblem(file, (int)node.Start.Line, (int)node.Start.Column, field, message));

    public void ThrowIfAny()
    {
        if (problems.Count > 0)
            throw new SpecException(problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList());
    }

    public YamlMappingNode? Mapping(YamlNode node, string field)
    {
        if (node is YamlMappingNode m) return m;
        Problem(node, field, "must be a mapping of keys to values (key: value on indented lines, or {key: value})");
        return null;
    }

    public string? Scalar(YamlNode node, string field)
    {
        if (node is YamlScalarNode s && !IsPlainNull(s)) return s.Value;
        Problem(node, field, node is YamlScalarNode ? "must not be empty" : "must be a single value, not a list or mapping");
        return null;
    }

    /// <summary>One of <paramref name="choices"/>; with <paramref name="ignoreCase"/> in any case, and returned in lower case.</summary>
    public string? OneOf(YamlNode node, string field, IReadOnlyList<string> choices, bool ignoreCase = false)
    {
        var text = Scalar(node, field);
        if (text is null) return null;
        var value = ignoreCase ? text.ToLowerInvariant() : text;
        if (choices.Contains(value)) return value;
        Problem(node, field, $"must be one of {string.Join(", ", choices)}, got '{text}'");
        return null;
    }

    public int? Int(YamlNode node, string field, int min)
    {
        var text = Scalar(node, field);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) { Problem(node, field, $"must be a whole number, got '{text}'"); return null; }
        if (v < min) { Problem(node, field, $"must be at least {min}, got {v}"); return null; }
        return v;
    }

    public double? Double(YamlNode node, string field)
    {
        var text = Scalar(node, field);
        if (text is null) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        Problem(node, field, $"must be a number, got '{text}'");
        return null;
    }

    /// <summary>Reads a parameter's value; null (with a problem recorded) when it is not a scalar of the right type.</summary>
    public (object? Value, bool Ok)? ParamValue(Param param, YamlNode node, string field)
    {
        if (node is not YamlScalarNode s)
        {
            Problem(node, field, "must be a single value, not a list or mapping" + (field.StartsWith("grid.", StringComparison.Ordinal) ? "" : "; to try several values, list them under grid:"));
            return null;
        }
        var (value, error) = param.Read(s.Value, IsPlainNull(s));
        if (error is not null) { Problem(node, field, error); return null; }
        return (value, true);
    }

    private static bool IsPlainNull(YamlScalarNode s) =>
        s.Style is ScalarStyle.Plain or ScalarStyle.Any && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");
}
