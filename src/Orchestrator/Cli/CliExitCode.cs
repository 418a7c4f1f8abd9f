namespace Orchestrator.Cli;

/// <summary>
/// The exit codes of the <c>orchestrator</c> CLI, for people and scripts (documented in
/// docs/orchestrator.md, "Exit codes"). Not the Runner's: a Runner's exit code is part of the
/// process contract between the Runner and the scheduler, and never becomes the CLI's as is.
/// Exceptions become these codes in one place, <see cref="CliErrors"/>.
/// </summary>
internal static class CliExitCode
{
    /// <summary>Everything asked for was done (for <c>run</c>: every trial of the sweep completed).</summary>
    public const int Ok = 0;
    /// <summary><c>run</c>: the sweep finished, but some trials failed (see <c>status</c>).</summary>
    public const int TrialsFailed = 1;
    /// <summary><c>doctor</c>: a check failed, so a run would fail (the output names the check).</summary>
    public const int ChecksFailed = 1;
    /// <summary>Bad input: a spec with problems, bad options, an unknown sweep or trial, a missing database, a refused query.</summary>
    public const int BadInput = 2;
    /// <summary>Something outside the input went wrong (the Runner is not built, the database cannot be opened or written).</summary>
    public const int Error = 3;
    /// <summary>
    /// The database did not answer for longer than the outage window (execution.db_outage_seconds): the run
    /// stopped; what was recorded is kept, and running the same command again, once the database is back, resumes it
    /// (sysexits' EX_TEMPFAIL: try again later).
    /// </summary>
    public const int DatabaseUnavailable = 75;
    /// <summary>
    /// Interrupted (Ctrl+C / SIGTERM) with work left: running trials checkpointed and went back to pending; run again to continue.
    /// A signal after the summary line interrupts nothing: it is reported and the exit code stays the summary's (<see cref="Execution.ShutdownSignals"/>).
    /// </summary>
    public const int Interrupted = 130;
}
