using System.Globalization;

namespace Runner.Cli;

/// <summary>A tiny parser for <c>--name value</c> / <c>--name=value</c> options; every option takes a value.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values;

    private Arguments(Dictionary<string, string> values) => _values = values;

    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'; options look like --name value");
            var (name, value) = arg.IndexOf('=') is var eq and > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg[2..], null);
            if (!known.Contains(name))
                throw new UsageException($"unknown option --{name}; known: {string.Join(", ", known.Select(k => "--" + k))}");
            if (value is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (!values.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
        }
        return new Arguments(values);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required");

    public int? Int(string name, int min)
    {
        if (Get(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) throw new UsageException($"--{name} must be a whole number, got '{text}'");
        return v >= min ? v : throw new UsageException($"--{name} must be at least {min}, got {v}");
    }

    public long? Long(string name)
    {
        if (Get(name) is not { } text) return null;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{name} must be a whole number, got '{text}'");
    }

    public double? Double(string name, double min, bool exclusive = false)
    {
        if (Get(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new UsageException($"--{name} must be a number, got '{text}'");
        var ok = exclusive ? v > min : v >= min;
        return ok ? v : throw new UsageException($"--{name} must be {(exclusive ? "greater than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)}, got {text}");
    }
}
