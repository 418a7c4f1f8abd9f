using System.Diagnostics;
using System.Globalization;
using Core.Processes;
using Core.Spec;

namespace Orchestrator.Slurm;

/// <summary>
/// Slurm's own command-line tools (sbatch, squeue, scancel, scontrol), found on the PATH and run as
/// child processes: the orchestrator talks to the cluster exactly as a user at a login node does.
/// Failures become <see cref="SlurmCommandException"/>s carrying Slurm's own message.
/// </summary>
internal sealed class SlurmCommands
{
    private static readonly IReadOnlyList<string> Tools = ["sbatch", "squeue", "scancel", "scontrol"];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> _paths;

    private SlurmCommands(IReadOnlyDictionary<string, string> paths) => _paths = paths;

    /// <summary>
    /// The tools from the PATH; throws <see cref="SlurmNotFoundException"/> naming those that are
    /// missing, <paramref name="why"/> they are needed and, after the usual fixes, <paramref name="otherwise"/>.
    /// </summary>
    public static SlurmCommands Locate(string why, string? otherwise = null)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var found = new Dictionary<string, string>();
        foreach (var tool in Tools)
            if (ToolProcess.FindOnPath(tool, path) is { } full) found[tool] = full;
        var missing = Tools.Where(t => !found.ContainsKey(t)).ToList();
        if (missing.Count > 0) throw new SlurmNotFoundException(missing, path, why, otherwise);
        return new SlurmCommands(found);
    }

    /// <summary>The tools, or null when Slurm is not installed here (for reading commands that only add job states when they can).</summary>
    public static SlurmCommands? TryLocate()
    {
        try { return Locate(""); }
        catch (SlurmNotFoundException) { return null; }
    }

    /// <summary>
    /// <c>sbatch --parsable ARGS SCRIPT</c>: submits and returns the job id. <paramref name="testOnly"/>
    /// asks sbatch to check the job against the cluster (partition, account, resources) without
    /// submitting it (<c>--test-only</c>); then the script is read from <paramref name="scriptText"/>.
    /// <paramref name="environment"/> is added to sbatch's own environment, which sbatch hands to the
    /// job (its default <c>--export=ALL</c>): the way a database password reaches the workers, never
    /// the script or a command line.
    /// </summary>
    public string Submit(IEnumerable<string> args, string? scriptPath, string? scriptText = null, bool testOnly = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var all = new List<string> { testOnly ? "--test-only" : SbatchOptions.Parsable };
        all.AddRange(args);
        if (scriptPath is not null) all.Add(scriptPath);
        var result = RunChecked("sbatch", all, stdin: scriptText, environment);
        if (testOnly) return "";
        // --parsable prints "jobid" or "jobid;cluster".
        var id = result.StdOut.Trim().Split(';')[0];
        return id.Length > 0 && id.All(char.IsAsciiDigit)
            ? id
            : throw new SlurmCommandException("sbatch", all, result.ExitCode, $"printed no job id: '{result.StdOut.Trim()}'");
    }

    /// <summary>
    /// The array tasks of the given jobs as squeue shows them, one line per task (<c>-r</c>), in any
    /// state (<c>--states=all</c>: finished tasks stay visible for the cluster's MinJobAge). Jobs the
    /// controller has forgotten are simply absent.
    /// </summary>
    public IReadOnlyList<SlurmTask> Queue(IReadOnlyCollection<string> jobIds)
    {
        if (jobIds.Count == 0) return [];
        var args = new[] { "-h", "-r", "--states=all", "-j", string.Join(',', jobIds), "-O", SlurmTask.SqueueFields };
        Result result;
        try
        {
            result = RunChecked("squeue", args);
        }
        catch (SlurmCommandException e) when (e.SlurmMessage.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            // squeue fails when none of the ids is known any more (they all ended before MinJobAge).
            return [];
        }
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(SlurmTask.Parse).OfType<SlurmTask>().ToList();
    }

    /// <summary>
    /// <c>scancel IDS</c>: whole arrays, or single tasks given as <c>JOB_TASK</c>. With
    /// <paramref name="pendingOnly"/>, <c>scancel --state=PENDING IDS</c>: only the tasks of these
    /// jobs that have not started (they hold no trial).
    /// </summary>
    public void Cancel(IReadOnlyCollection<string> jobIds, bool pendingOnly = false)
    {
        if (jobIds.Count == 0) return;
        RunChecked("scancel", pendingOnly ? ["--state=PENDING", .. jobIds] : [.. jobIds]);
    }

    /// <summary>The cluster's MaxArraySize (<c>scontrol show config</c>): array task ids must be below it.</summary>
    public int MaxArraySize()
    {
        var result = RunChecked("scontrol", ["show", "config"]);
        foreach (var line in result.StdOut.Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
                return max;
        }
        return DefaultMaxArraySize;
    }

    /// <summary>Slurm's default MaxArraySize, used when scontrol does not say.</summary>
    public const int DefaultMaxArraySize = 1001;

    /// <summary>The partitions sinfo would list, from <c>scontrol show partition</c> (for error messages); empty if unknown.</summary>
    public IReadOnlyList<string> Partitions()
    {
        var result = Run("scontrol", ["show", "partition", "-o"]);
        if (result.ExitCode != 0) return [];
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ').FirstOrDefault(f => f.StartsWith("PartitionName=", StringComparison.Ordinal))?["PartitionName=".Length..])
            .OfType<string>().ToList();
    }

    private sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        /// <summary>What the tool said about a failure: its stderr lines (else stdout), joined.</summary>
        public string Message => string.Join("; ", (StdErr.Trim().Length > 0 ? StdErr : StdOut)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary><see cref="Run"/>, failing with a <see cref="SlurmCommandException"/> when the tool exits with a code other than 0.</summary>
    private Result RunChecked(string tool, IReadOnlyList<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Run(tool, args, stdin, environment);
        return result.ExitCode == 0 ? result : throw new SlurmCommandException(tool, args, result.ExitCode, result.Message);
    }

    private Result Run(string tool, IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(_paths[tool]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var r = ToolProcess.Run(psi, Timeout, stdin)
                ?? throw new SlurmCommandException(tool, args, -1, $"did not answer within {Timeout.TotalSeconds:0} s (is slurmctld running?)");
        return new Result(r.ExitCode, r.StdOut, r.StdErr);
    }
}

/// <summary>Slurm's tools are not on the PATH.</summary>
internal sealed class SlurmNotFoundException(IReadOnlyList<string> missing, string path, string why, string? otherwise)
    : Exception($"{why}, but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not on the PATH ({(path.Length == 0 ? "empty" : path)}): "
                + "run it where Slurm's client tools are installed (a cluster's login node), or start a one-node cluster here with deploy/slurm/local-cluster.sh (as root)"
                + (otherwise is null ? "" : $", {otherwise}"));

/// <summary>A Slurm tool refused or failed; <see cref="SlurmMessage"/> is what it said.</summary>
internal sealed class SlurmCommandException(string tool, IEnumerable<string> args, int exitCode, string message)
    : Exception($"{tool} {string.Join(' ', args)} failed (exit {exitCode}): {message}")
{
    public string Tool { get; } = tool;
    public int ExitCode { get; } = exitCode;
    public string SlurmMessage { get; } = message;
}
