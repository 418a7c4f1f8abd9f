using System.Globalization;

namespace Core.Contract;

/// <summary>
/// The Runner's command lines: <c>--name value</c> / <c>--name=value</c> options, every option with a
/// value. A line that breaks these rules throws <see cref="UsageException"/>.
/// </summary>
public sealed class RunnerArguments
{
    private readonly Dictionary<string, string> _values;

    private RunnerArguments(Dictionary<string, string> values) => _values = values;

    public static RunnerArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
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
        return new RunnerArguments(values);
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

    /// <summary>A duration given in seconds (a number, at least <paramref name="min"/>).</summary>
    public TimeSpan? Seconds(string name, double min) => Double(name, min) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public double? Double(string name, double min, bool exclusive = false)
    {
        if (Get(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new UsageException($"--{name} must be a number, got '{text}'");
        var ok = exclusive ? v > min : v >= min;
        return ok ? v : throw new UsageException($"--{name} must be {(exclusive ? "greater than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)}, got {text}");
    }
}

/// <summary>The command line itself is wrong (unknown option, missing or malformed value). The Runner exits 2 (bad input).</summary>
public sealed class UsageException(string message) : Exception(message);
