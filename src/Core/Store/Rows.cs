namespace Core.Store;

// Plain rows as they are stored; Dapper fills them (snake_case columns → PascalCase properties).

public sealed class SweepRow
{
    public string Name { get; init; } = "";
    public string? SpecPath { get; init; }
    public string? SpecYaml { get; init; }
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";
}

public static class TrialStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    /// <summary>An early-stopping rule decided at an epoch end that the trial cannot win; its curves and checkpoints stay.</summary>
    public const string Stopped = "stopped";
}

public sealed class TrialRow
{
    public string TrialId { get; init; } = "";
    public string ConfigJson { get; init; } = "";
    public string State { get; init; } = TrialStates.Pending;
    public int Attempt { get; init; }
    public string? Owner { get; init; }
    public double? LeaseUntil { get; init; }
    public int Epoch { get; init; }
    public long Step { get; init; }
    public string? Device { get; init; }
    public long? Params { get; init; }
    public int? VocabSize { get; init; }
    public int? ExitCode { get; init; }
    public string? Failure { get; init; }
    /// <summary>A <see cref="Contract.FailureKind"/>, with <see cref="Failure"/>.</summary>
    public string? FailureKind { get; init; }
    /// <summary>The last stderr lines of the attempt that set <see cref="Failure"/>.</summary>
    public string? StderrTail { get; init; }
    /// <summary>The Runner process running the trial now (<see cref="Contract.ProcessIdentity"/>), once it attached.</summary>
    public string? Runner { get; init; }
    /// <summary>The GPU the trial ran on last (e.g. NVIDIA H100 80GB HBM3); null on the CPU.</summary>
    public string? GpuName { get; init; }
    /// <summary>The libtorch it ran with last, e.g. 2.10.0 (bundled) or 2.11.0+cu130 (PyTorch).</summary>
    public string? LibtorchVersion { get; init; }
    /// <summary>The CUDA version of that libtorch; null on a CPU build.</summary>
    public string? CudaVersion { get; init; }
    public string CreatedAt { get; init; } = "";
    public string? StartedAt { get; init; }
    public string? FinishedAt { get; init; }
    /// <summary>The trial whose first epochs this one copied and continues (a larger, or smaller, train.epochs); null when trained from the start.</summary>
    public string? ExtendsTrialId { get; init; }

    /// <summary>The early-stopping rule that stopped the trial (with <see cref="StopEpoch"/> … <see cref="StopPeers"/>); null unless stopped.</summary>
    public string? StopRule { get; init; }
    public int? StopEpoch { get; init; }
    public string? StopMetric { get; init; }
    public double? StopValue { get; init; }
    public double? StopThreshold { get; init; }
    public int? StopPeers { get; init; }

    /// <summary>The stop decision as recorded, for people; null unless an early-stopping rule stopped it.</summary>
    public StopDecision? Stop => StopDecision.Recorded(StopRule, StopEpoch, StopMetric, StopValue, StopThreshold, StopPeers);

    public Config.TrialConfig Config => Core.Config.TrialConfig.FromJson(ConfigJson);
}

/// <summary>A trial as a member of a sweep: its place in the grid and the grid values that made it.</summary>
public sealed class SweepTrialRow
{
    public string Sweep { get; init; } = "";
    public string TrialId { get; init; } = "";
    public int Ordinal { get; init; }
    public string GridJson { get; init; } = "{}";
    public int Repeat { get; init; }
}

public sealed class AttemptRow
{
    public string TrialId { get; init; } = "";
    public int Attempt { get; init; }
    public string? Owner { get; init; }
    public string StartedAt { get; init; } = "";
    public string? EndedAt { get; init; }
    public int? ExitCode { get; init; }
    public string? Outcome { get; init; }
    public string? Reason { get; init; }
    public string? FailureKind { get; init; }
    public string? StderrTail { get; init; }
    /// <summary>The CUDA_VISIBLE_DEVICES its Runner was started with (null: not set).</summary>
    public string? CudaVisibleDevices { get; init; }
}

public sealed record MetricRow(string TrialId, string Name, long Step, int? Epoch, double Value, double WallTime)
{
    // Dapper needs a parameterless path for reading; see ResultRepository.
    public MetricRow() : this("", "", 0, null, 0, 0) { }
}

public sealed class CheckpointRow
{
    public string TrialId { get; init; } = "";
    public string Name { get; init; } = "";
    public int Epoch { get; init; }
    public long Step { get; init; }
    /// <summary>Relative to the database's folder; see <see cref="Database.Resolve"/>.</summary>
    public string Path { get; init; } = "";
    public string Sha256 { get; init; } = "";
    public long Bytes { get; init; }
    public string CreatedAt { get; init; } = "";
}

public sealed class ProbeRow
{
    public string TrialId { get; init; } = "";
    public string Checkpoint { get; init; } = "";
    public string Input { get; init; } = "";
    public long Step { get; init; }
    public int Epoch { get; init; }
    public string Predicted { get; init; } = "";
    /// <summary>JSON array of {"char": c, "p": probability}, most likely first.</summary>
    public string TopJson { get; init; } = "[]";
}

public sealed class SampleRow
{
    public string TrialId { get; init; } = "";
    public string Checkpoint { get; init; } = "";
    public string Prime { get; init; } = "";
    public int Length { get; init; }
    public double Temperature { get; init; }
    public int TopK { get; init; }
    public long Seed { get; init; }
    public string Text { get; init; } = "";
    public string CreatedAt { get; init; } = "";
}

public sealed class ArchitectureRow
{
    public string TrialId { get; init; } = "";
    public int Ordinal { get; init; }
    public string Layer { get; init; } = "";
    public string Type { get; init; } = "";
    public string OutputShape { get; init; } = "";
    public long Params { get; init; }
}
