using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>Reads and checks the spec's <c>execution.slurm</c> section, problems located like the rest of the spec.</summary>
internal static partial class SlurmSection
{
    public static readonly string[] Keys = ["partition", "time", "gres", "cpus_per_task", "mem", "account", "extra", "workers", "signal_seconds"];

    /// <summary>Options the orchestrator sets itself in every job script; <c>extra</c> may not set them.</summary>
    public static readonly string[] Managed = ["--array", "--parsable", "--output", "--error", "--chdir", "--open-mode", "--signal", "--wrap", "--job-name"];

    public static SlurmConfig Read(Reader r, YamlNode node)
    {
        var s = new SlurmConfig();
        var mapping = r.Mapping(node, "execution.slurm");
        if (mapping is null) return s;
        YamlNode? timeNode = null, signalNode = null;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"execution.slurm.{key}";
            switch (key)
            {
                case "partition": s = s with { Partition = Word(r, valueNode, field, "a partition name, e.g. gpu (sinfo lists them)") }; break;
                case "account": s = s with { Account = Word(r, valueNode, field, "an account name, e.g. proj123") }; break;
                case "time":
                    timeNode = valueNode;
                    s = s with { Time = Matching(r, valueNode, field, TimePattern(), "a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. 4:00:00") };
                    break;
                case "gres": s = s with { Gres = Matching(r, valueNode, field, GresPattern(), "a generic resource list such as gpu:1 or gpu:a100:2") }; break;
                case "mem": s = s with { Mem = Matching(r, valueNode, field, MemPattern(), "memory per worker: a whole number with an optional unit K, M, G or T, e.g. 4G") }; break;
                case "cpus_per_task": s = s with { CpusPerTask = r.Int(valueNode, field, min: 1) }; break;
                case "workers": s = s with { Workers = r.Int(valueNode, field, min: 1) }; break;
                case "signal_seconds":
                    signalNode = valueNode;
                    var seconds = r.Int(valueNode, field, min: 1);
                    if (seconds > MaxSignalSeconds) r.Problem(valueNode, field, $"must be at most {MaxSignalSeconds} (Slurm's limit), got {seconds}");
                    else if (seconds is { } n) s = s with { SignalSeconds = n };
                    break;
                case "extra": s = s with { Extra = Extra(r, valueNode, field) }; break;
                default: r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, Keys)}"); break;
            }
        }
        if (s.Time is { } time && SlurmTimeLimit.Seconds(time) is { } limit && s.SignalSeconds >= limit)
            r.Problem(signalNode ?? timeNode!, "execution.slurm.signal_seconds",
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
            else if (Managed.Contains(option))
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
