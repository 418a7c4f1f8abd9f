namespace Core.Contract;

/// <summary>The kinds of <see cref="FailureEvent"/>: what went wrong, and so whether another attempt can help (docs/contract.md).</summary>
public static class FailureKind
{
    /// <summary>The config, the corpus, the arguments or a checkpoint is wrong. Final.</summary>
    public const string BadInput = "bad_input";
    /// <summary>The loss became NaN or infinite. Final.</summary>
    public const string Diverged = "diverged";
    /// <summary>An allocation failed. Retried with fewer trials sharing the machine; final for a trial that ran out alone.</summary>
    public const string OutOfMemory = "out_of_memory";
    /// <summary>Anything else. Retried, unless it repeats identically.</summary>
    public const string Crashed = "crashed";

    public static readonly IReadOnlyList<string> All = [BadInput, Diverged, OutOfMemory, Crashed];
}
