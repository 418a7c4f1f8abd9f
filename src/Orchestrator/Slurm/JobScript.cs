using System.Globalization;
using System.Text;
using Core.Spec;
using Core.Store;

namespace Orchestrator.Slurm;

/// <summary>
/// The batch script of a sweep's workers. Each array task runs one worker: the orchestrator that
/// submitted it, by its absolute path (the cluster's nodes are assumed to share this file system),
/// as <c>worker --db DB [--results DIR] --sweep NAME</c>, the store named as a Runner gets it
/// (<see cref="Core.Contract.StoreArguments"/>). It holds no credentials: a database password travels
/// in the job's environment (sbatch exports the submitting process's environment by default) or in
/// a file the nodes can read, never in the script (docs/cluster.md).
/// </summary>
/// <param name="Store">The sweep's store; the script names it without any password.</param>
/// <param name="ResultsFolder">The results folder (<c>--results</c>): a PostgreSQL store's checkpoints, job script and logs go there.</param>
/// <param name="Orchestrator">The program and arguments that start this orchestrator (the dotnet host and orchestrator.dll).</param>
/// <param name="WorkingDirectory">The folder trials run in (relative data paths resolve against it): the folder run was started from.</param>
/// <param name="NoEarlyStopping">The workers ignore the spec's early_stopping (<c>run --no-early-stopping</c>).</param>
internal sealed record JobScript(string Sweep, SlurmConfig Slurm, StoreLocation Store, string ResultsFolder, IReadOnlyList<string> Orchestrator, string WorkingDirectory,
    bool NoEarlyStopping = false)
{
    /// <summary>
    /// Where the script and each task's output (<c>%A_%a.out</c>) go: <c>slurm/SWEEP</c> in the store's
    /// folder, as its checkpoints: beside an SQLite file, or under the results folder for PostgreSQL.
    /// </summary>
    public string LogFolder => Path.Combine(Database.FolderOf(Store, ResultsFolder), "slurm", Sweep);

    /// <summary>The job name every array task carries: <c>orch-SWEEP</c>.</summary>
    private string JobName => $"orch-{Sweep}";

    /// <summary>The sbatch options of every submission, as #SBATCH lines carry them (the array range is given per submission).</summary>
    public IReadOnlyList<string> Options
    {
        get
        {
            var o = new List<string> { $"{SbatchOptions.JobName}={JobName}" };
            if (Slurm.Partition is { } partition) o.Add($"--partition={partition}");
            if (Slurm.Account is { } account) o.Add($"--account={account}");
            if (Slurm.Time is { } time) o.Add($"--time={time}");
            if (Slurm.CpusPerTask is { } cpus) o.Add(string.Create(CultureInfo.InvariantCulture, $"--cpus-per-task={cpus}"));
            if (Slurm.Mem is { } mem) o.Add($"--mem={mem}");
            if (Slurm.Gres is { } gres) o.Add($"--gres={gres}");
            o.Add(SbatchOptions.Requeue);
            o.Add(string.Create(CultureInfo.InvariantCulture, $"{SbatchOptions.Signal}=B:TERM@{Slurm.SignalSeconds}"));
            o.Add($"{SbatchOptions.OpenMode}=append");
            o.Add($"{SbatchOptions.Output}={SbatchValue(Path.Combine(LogFolder, "%A_%a.out"))}");
            o.Add($"{SbatchOptions.Chdir}={SbatchValue(WorkingDirectory)}");
            o.AddRange(Slurm.Extra);
            return o;
        }
    }

    /// <summary>The worker's command line, as the script runs it.</summary>
    public IReadOnlyList<string> WorkerCommand =>
        [.. Orchestrator, "worker", .. Store.ChildArguments(ResultsFolder).ToArguments(), "--sweep", Sweep, .. NoEarlyStopping ? ["--no-early-stopping"] : Array.Empty<string>()];

    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append("#!/bin/bash\n");
            foreach (var option in Options) sb.Append("#SBATCH ").Append(option).Append('\n');
            sb.Append($"""
                # Written by `orchestrator run` for sweep {Sweep}. Each array task is one worker: it claims the
                # sweep's pending trials one at a time, runs each in a Runner and exits when none is left.
                # SIGTERM (the time-limit warning, preemption, scancel) makes its Runners checkpoint; their
                # trials go back to pending and resume on whichever task claims them next.
                # No credentials here: they come from the job's environment or a file (docs/cluster.md).

                """);
            sb.Append("exec ").Append(string.Join(' ', WorkerCommand.Select(ShellQuote))).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>A word for the shell: single-quoted unless it is plainly safe.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:=@%+,".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A value on an #SBATCH line: sbatch splits those lines at blanks unless double-quoted, and cannot escape a quote.</summary>
    private static string SbatchValue(string value)
    {
        if (value.Contains('"') || value.Contains('\n') || value.Contains('\r'))
            throw new JobScriptException($"the path '{value}' holds a double quote or a line break, which an #SBATCH line cannot carry; run from (or put the results in) a folder whose path has neither");
        return value.Any(char.IsWhiteSpace) ? $"\"{value}\"" : value;
    }
}

/// <summary>A job script that cannot be written for these paths.</summary>
internal sealed class JobScriptException(string message) : Exception(message);
