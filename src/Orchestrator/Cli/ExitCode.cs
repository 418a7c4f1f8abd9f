namespace Orchestrator.Cli;

/// <summary>The orchestrator's exit codes (documented in docs/orchestrator.md).</summary>
public static class ExitCode
{
    /// <summary>Everything asked for was done (for <c>run</c>: every trial of the sweep completed).</summary>
    public const int Ok = 0;
    /// <summary><c>run</c>: the sweep finished, but some trials failed (see <c>status</c>).</summary>
    public const int TrialsFailed = 1;
    /// <summary>Bad input: a spec with problems, bad options, an unknown sweep or trial, a missing database, a refused query.</summary>
    public const int BadInput = 2;
    /// <summary>Something outside the input went wrong (the Runner is not built, the database cannot be written).</summary>
    public const int Error = 3;
    /// <summary>Interrupted (Ctrl+C / SIGTERM): running trials checkpointed and went back to pending; run again to continue.</summary>
    public const int Interrupted = 130;
}
