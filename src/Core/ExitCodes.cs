namespace Core;

/// <summary>
/// Exit codes of the Runner (and, where they apply, the orchestrator). They tell the scheduler
/// whether a retry can help: bad input and divergence are final; a crash or kill is retried.
/// </summary>
public static class ExitCodes
{
    /// <summary>The trial finished (or the command did what it was asked).</summary>
    public const int Done = 0;
    /// <summary>Unexpected failure (an exception we did not anticipate): retryable.</summary>
    public const int Crashed = 1;
    /// <summary>Bad input: config, data, arguments, a checkpoint that fails verification. Final.</summary>
    public const int BadInput = 2;
    /// <summary>The loss became NaN or infinite. Final.</summary>
    public const int Diverged = 3;
    /// <summary>Stopped on request (SIGINT/SIGTERM) after writing a checkpoint; the trial is pending again.</summary>
    public const int Interrupted = 4;
    /// <summary>Another owner holds the trial (the lease was lost or never held). Not retried by this owner.</summary>
    public const int LeaseLost = 5;

    public static bool IsRetryable(int code) => code is not (Done or BadInput or Diverged or Interrupted or LeaseLost);

    public static string Describe(int code) => code switch
    {
        Done => "done",
        Crashed => "crashed",
        BadInput => "bad input",
        Diverged => "diverged",
        Interrupted => "interrupted",
        LeaseLost => "lease lost",
        >= 128 and < 160 => $"killed by signal {code - 128}",
        _ => $"exit code {code}",
    };
}
