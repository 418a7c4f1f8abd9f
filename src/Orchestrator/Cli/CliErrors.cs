using System.Data.Common;
using Core.Data;
using Core.Spec;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Planning;
using Orchestrator.Queries;
using Orchestrator.Slurm;
using Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

/// <summary>
/// What the user sees when a command ends with an exception: the exit code, the message (printed
/// as <c>error: …</c>), and optionally lines printed before it (a spec's problems) or Spectre's own
/// rendering of a usage error.
/// </summary>
internal sealed record CliError(int ExitCode, string Message, string? Detail = null, IRenderable? Pretty = null);

/// <summary>
/// The one place where exceptions become CLI exit codes and messages. Core and Reporting throw
/// typed exceptions that name the file, field or value; the words about this CLI (which command or
/// flag to use next) are added here. Commands do not catch; they let exceptions reach
/// <see cref="Print"/> through the app's exception handler.
/// </summary>
internal static class CliErrors
{
    private const string RunFirst = "run `orchestrator run SPEC` first";

    public static CliError Describe(Exception e, IReadOnlyList<string> args) => e switch
    {
        CommandRuntimeException { InnerException: OptionValueException v } =>
            new(CliExitCode.BadInput, $"{OptionWithValue(args, v.Value) ?? "an option"} must be {v.Expected}, got '{v.Value}'"),
        CommandAppException { Pretty: { } pretty } => new(CliExitCode.BadInput, e.Message, Pretty: pretty),
        CommandAppException => new(CliExitCode.BadInput, e.Message),

        SpecException s => new(CliExitCode.BadInput,
            $"{s.Problems[0].File}: {s.Problems.Count} problem(s); nothing was run or recorded", Detail: s.Message),
        CorpusException => new(CliExitCode.BadInput, $"{e.Message}\nnothing was run; the sweep's trials are recorded as they were"),
        QueryInterruptedException => new(CliExitCode.DatabaseUnavailable, e.Message),
        QueryException => new(CliExitCode.BadInput, e.Message),
        ReportException => new(CliExitCode.BadInput, e.Message),

        DatabaseNotFoundException => new(CliExitCode.BadInput, $"{e.Message} ({RunFirst}, or pass --db PATH)"),
        // The server cannot be reached or refused us: the message names the setting and the fix; nothing was recorded.
        DatabaseConnectionException => new(CliExitCode.BadInput, $"{e.Message}; nothing was recorded"),
        EmptyDatabaseException => new(CliExitCode.BadInput,
            $"{e.Message}. If it was lost, run the spec again to record its sweep anew (`orchestrator run SPEC`), or pass --db PATH to read another database"),
        SchemaVersionException { Newer: true } => new(CliExitCode.BadInput, $"{e.Message}; update the tool"),
        SchemaVersionException v => new(CliExitCode.BadInput,
            $"{e.Message}; migrate it to version {v.Latest} by opening it once for writing: `orchestrator run SPEC --db {v.Path}`"),
        SweepNotFoundException { Known.Count: 0 } => new(CliExitCode.BadInput, $"{e.Message}; {RunFirst}"),
        DatabaseOpenException => new(CliExitCode.Error, e.Message),
        DiskFullException d => new(CliExitCode.Error, DiskFull(d)),
        DatabaseOutageException => new(CliExitCode.DatabaseUnavailable,
            $"{e.Message}. Nothing recorded is lost: once the database answers, run the same command again; it resumes every unfinished trial " +
            "from its last checkpoint (one its Runner saved during the outage included), at once"),
        StoreException => new(CliExitCode.BadInput, e.Message), // the rest: a setting (StoreLocationException), an unknown sweep, …

        OptionConflictException => new(CliExitCode.BadInput, e.Message),
        Serve.ServeException => new(CliExitCode.BadInput, e.Message),
        SlurmNotFoundException => new(CliExitCode.BadInput, e.Message),
        SlurmRefusedException => new(CliExitCode.BadInput, e.Message),
        NetworkDatabaseException => new(CliExitCode.BadInput, e.Message),
        JobScriptException => new(CliExitCode.BadInput, e.Message),
        WorkerDatabaseException => new(CliExitCode.BadInput, e.Message),
        TrialSelectionException => new(CliExitCode.BadInput, e.Message),
        SlurmCommandException => new(CliExitCode.Error, e.Message),

        RunnerNotFoundException => new(CliExitCode.Error, e.Message),
        RunnerSetupException => new(CliExitCode.BadInput, $"{e.Message}\nnothing was run or recorded"),
        OperationCanceledException => new(CliExitCode.Interrupted, "interrupted before it finished; run the same command again to continue"),
        DbException s => new(CliExitCode.Error, $"database error: {s.Message}"),
        IOException or UnauthorizedAccessException => new(CliExitCode.Error, e.Message),
        _ => new(CliExitCode.Error, e.ToString()),
    };

    /// <summary>
    /// A full disk under the store: which file system (mount point, type, what is free now) and what to
    /// free there; what was recorded is kept and a rerun resumes.
    /// </summary>
    private static string DiskFull(DiskFullException e)
    {
        var rerun = "then run the same command again: it resumes every unfinished trial from its last checkpoint; nothing recorded is lost";
        if (e.File is not { } file) return $"{e.Message}; {rerun}";
        var folder = Path.GetDirectoryName(file)!;
        var where = MountTable.Of(file) is { } mount
            ? $"the file system mounted at {mount.MountPoint} ({mount.Type}{FreeOn(mount.MountPoint)})"
            : $"the file system of {folder}";
        return $"{e.Message}: {where} has no room left. Free space there (checkpoints of sweeps you no longer need under " +
               $"{Path.Combine(folder, "checkpoints")}, reports, other files), or move the results folder to a larger disk, {rerun}";
    }

    private static string FreeOn(string mountPoint)
    {
        try
        {
            var free = new DriveInfo(mountPoint).AvailableFreeSpace;
            return $", {free / 1024.0 / 1024.0:0.#} MB free now";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "";
        }
    }

    /// <summary>Prints <paramref name="e"/> as the user should see it, on stderr; returns the exit code.</summary>
    public static int Print(Exception e, IReadOnlyList<string> args)
    {
        var error = Describe(e, args);
        if (error.Pretty is not null)
        {
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(error.Pretty);
            return error.ExitCode;
        }
        if (error.Detail is not null) Console.Error.WriteLine(error.Detail);
        Output.Error(error.Message);
        return error.ExitCode;
    }

    /// <summary>The option given <paramref name="value"/> on the command line (<c>--name value</c> or <c>--name=value</c>).</summary>
    private static string? OptionWithValue(IReadOnlyList<string> args, string value)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-')) continue;
            var separator = arg.IndexOfAny(['=', ':']);
            if (separator > 0 && arg[(separator + 1)..] == value) return arg[..separator];
            if (separator < 0 && i + 1 < args.Count && args[i + 1] == value) return arg;
        }
        return null;
    }
}
