namespace Core.Contract;

/// <summary>
/// The Runner's exit codes, part of its process contract with whoever started it (docs/contract.md).
/// They tell the orchestrator whether a retry can help. These are not the orchestrator CLI's own
/// exit codes, which mean other things.
/// </summary>
public static class RunnerExitCode
{
    /// <summary>The trial finished (or the command did what it was asked).</summary>
    public const int Done = 0;
    /// <summary>An unexpected failure; the trial is left running for its owner to retry.</summary>
    public const int Crashed = 1;
    /// <summary>Bad input: config, data, arguments, a checkpoint that fails verification. Final; the Runner failed the trial.</summary>
    public const int BadInput = 2;
    /// <summary>The loss became NaN or infinite. Final; the Runner failed the trial.</summary>
    public const int Diverged = 3;
    /// <summary>
    /// Stopped on request (SIGINT/SIGTERM) after writing a checkpoint; the trial is pending again. Also past the
    /// outage window, with the checkpoint saved to disk and a note (<see cref="Store.OutageInterruption"/>) for
    /// whoever reaches the database next to record it and release the trial.
    /// </summary>
    public const int Interrupted = 4;
    /// <summary>Another owner holds the trial (the lease was lost or never held). Nothing was marked.</summary>
    public const int LeaseLost = 5;
    /// <summary>An allocation failed. With an orchestrator owner the trial is left running for it to decide; standalone the Runner failed it.</summary>
    public const int OutOfMemory = 6;
    /// <summary>An early-stopping rule stopped the trial at an epoch end (docs/orchestrator.md). Final; the Runner marked it stopped, with the decision.</summary>
    public const int Stopped = 7;

    /// <summary>Whether the orchestrator retries an attempt that ended with <paramref name="code"/> (crashes, signals, unknown codes).</summary>
    public static bool IsRetryable(int code) => code is not (Done or BadInput or Diverged or Interrupted or LeaseLost or OutOfMemory or Stopped);

    /// <summary>The exit code that goes with a <see cref="FailureKind"/>.</summary>
    public static int For(string failureKind) => failureKind switch
    {
        FailureKind.BadInput => BadInput,
        FailureKind.Diverged => Diverged,
        FailureKind.OutOfMemory => OutOfMemory,
        _ => Crashed,
    };

    /// <summary>The failure kind an exit code stands for when the Runner reported none (killed, or an older Runner); null for codes that are no failure.</summary>
    public static string? KindOf(int code) => code switch
    {
        Done or Interrupted or LeaseLost or Stopped => null,
        BadInput => FailureKind.BadInput,
        Diverged => FailureKind.Diverged,
        OutOfMemory => FailureKind.OutOfMemory,
        _ => FailureKind.Crashed,
    };

    public static string Describe(int code) => code switch
    {
        Done => "done",
        Crashed => "crashed",
        BadInput => "bad input",
        Diverged => "diverged",
        Interrupted => "interrupted",
        LeaseLost => "lease lost",
        OutOfMemory => "out of memory",
        Stopped => "stopped early",
        >= 128 and < 160 => $"killed by signal {code - 128}",
        _ => $"exit code {code}",
    };
}
