using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads and checks the spec's <c>execution.slurm</c> section, problems located like the rest of the spec.</summary>
internal static partial class SlurmSection
{
    /// <summary>The keys of <c>execution.slurm:</c>, each with how its value is read: the one list of them.</summary>
    private static readonly IReadOnlyList<(string Key, Func<Reader, YamlNode, string, SlurmConfig, SlurmConfig> Read)> Keys =
    [
        ("partition", (r, node, field, s) => s with { Partition = Word(r, node, field, "a partition name, e.g. gpu (sinfo lists them)") }),
        ("time", (r, node, field, s) => s with { Time = Matching(r, node, field, TimePattern(), "a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. 4:00:00") }),
        ("gres", (r, node, field, s) => s with { Gres = Matching(r, node, field, GresPattern(), "a generic resource list such as gpu:1 or gpu:a100:2") }),
        ("cpus_per_task", (r, node, field, s) => s with { CpusPerTask = r.Int(node, field, min: 1) }),
        ("mem", (r, node, field, s) => s with { Mem = Matching(r, node, field, MemPattern(), "memory per worker: a whole number with an optional unit K, M, G or T, e.g. 4G") }),
        ("account", (r, node, field, s) => s with { Account = Word(r, node, field, "an account name, e.g. proj123") }),
        ("extra", (r, node, field, s) => s with { Extra = Extra(r, node, field) }),
        ("workers", (r, node, field, s) => s with { Workers = r.Int(node, field, min: 1) }),
        ("signal_seconds", (r, node, field, s) =>
        {
            var seconds = r.Int(node, field, min: 1);
            if (seconds > MaxSignalSeconds) r.Problem(node, field, $"must be at most {MaxSignalSeconds} (Slurm's limit), got {seconds}");
            else if (seconds is { } n) s = s with { SignalSeconds = n };
            return s;
        }),
    ];

    public static SlurmConfig Read(Reader r, YamlNode node)
    {
        var s = new SlurmConfig();
        var mapping = r.Mapping(node, "execution.slurm");
        if (mapping is null) return s;
        var nodes = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"execution.slurm.{key}";
            var reader = Keys.FirstOrDefault(k => k.Key == key).Read;
            if (reader is null)
            {
                r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, Keys.Select(k => k.Key))}");
                continue;
            }
            nodes[key] = valueNode;
            s = reader(r, valueNode, field, s);
        }
        if (s.Time is { } time && SlurmTimeLimit.Seconds(time) is { } limit && s.SignalSeconds >= limit)
            r.Problem(nodes.GetValueOrDefault("signal_seconds") ?? nodes["time"], "execution.slurm.signal_seconds",
                $"the warning signal ({s.SignalSeconds} s before the limit) must come before the time limit itself ({time} = {limit} s); lower signal_seconds or raise time");
        return s;
    }

    /// <summary>Slurm accepts at most this many seconds in --signal=…@N.</summary>
    public const int MaxSignalSeconds = 65535;

    private static string? Word(Reader r, YamlNode node, string field, string what) => Matching(r, node, field, WordPattern(), what);

    private static string? Matching(Reader r, YamlNode node, string field, Regex pattern, string what)
    {
        var text = r.Scalar(node, field);
        if (text is null) return null;
        if (pattern.IsMatch(text)) return text;
        r.Problem(node, field, $"must be {what}, got '{text}'");
        return null;
    }

    private static List<string> Extra(Reader r, YamlNode node, string field)
    {
        var extra = new List<string>();
        if (node is not YamlSequenceNode seq)
        {
            r.Problem(node, field, "must be a list of sbatch options, e.g. [\"--qos=short\", \"--constraint=a100\"]");
            return extra;
        }
        foreach (var item in seq.Children)
        {
            var text = r.Scalar(item, field);
            if (text is null) continue;
            var option = text.Split('=', ' ')[0];
            if (!text.StartsWith('-') || text.Contains('\n') || text.Contains('\r'))
                r.Problem(item, field, $"each item must be one sbatch option on one line, starting with '-' (e.g. --qos=short), got '{text}'");
            else if (SbatchOptions.Managed.Contains(option))
                r.Problem(item, field, $"'{option}' is set by the orchestrator in every job script (docs/cluster.md); remove it from extra");
            else
                extra.Add(text);
        }
        return extra;
    }

    [GeneratedRegex(@"^(UNLIMITED|INFINITE|unlimited|infinite|\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2})$")]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_.-]+)*(,[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_.-]+)*)*$")]
    private static partial Regex GresPattern();

    [GeneratedRegex(@"^\d+[KMGTkmgt]?$")]
    private static partial Regex MemPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*(,[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")]
    private static partial Regex WordPattern();
}
