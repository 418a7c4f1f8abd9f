using CsvHelper.Configuration.Attributes;

namespace Reporting.Tests.Support;

// The CSV columns as a user reads them (declared here, independently of Reporting's writers).

public sealed class TrialsCsv
{
    [Name("sweep")] public string Sweep { get; set; } = "";
    [Name("ordinal")] public int Ordinal { get; set; }
    [Name("trial_id")] public string TrialId { get; set; } = "";
    [Name("repeat")] public int Repeat { get; set; }
    [Name("state")] public string State { get; set; } = "";
    [Name("attempt")] public int Attempt { get; set; }
    [Name("cell")] public string Cell { get; set; } = "";
    [Name("embedding")] public long Embedding { get; set; }
    [Name("hidden")] public long Hidden { get; set; }
    [Name("layers")] public long Layers { get; set; }
    [Name("dropout")] public double Dropout { get; set; }
    [Name("seq_len")] public long SeqLen { get; set; }
    [Name("batch_size")] public long BatchSize { get; set; }
    [Name("lr")] public double Lr { get; set; }
    [Name("epochs")] public long Epochs { get; set; }
    [Name("max_steps")] public long MaxSteps { get; set; }
    [Name("seed")] public long Seed { get; set; }
    [Name("epochs_done")] public long EpochsDone { get; set; }
    [Name("steps_done")] public long StepsDone { get; set; }
    [Name("device")] public string? Device { get; set; }
    [Name("params")] public long? Params { get; set; }
    [Name("vocab_size")] public long? VocabSize { get; set; }
    [Name("final_train_loss")] public double? FinalTrainLoss { get; set; }
    [Name("final_val_loss")] public double? FinalValLoss { get; set; }
    [Name("final_val_error")] public double? FinalValError { get; set; }
    [Name("final_train_error")] public double? FinalTrainError { get; set; }
    [Name("best_val_loss")] public double? BestValLoss { get; set; }
    [Name("best_epoch")] public long? BestEpoch { get; set; }
    [Name("best_val_error")] public double? BestValError { get; set; }
    [Name("overfit_gap")] public double? OverfitGap { get; set; }
    [Name("chars_per_sec")] public double? CharsPerSec { get; set; }
    [Name("train_seconds")] public double? TrainSeconds { get; set; }
    [Name("exit_code")] public long? ExitCode { get; set; }
    [Name("failure")] public string? Failure { get; set; }
}

public sealed class MetricsCsv
{
    [Name("trial_id")] public string TrialId { get; set; } = "";
    [Name("cell")] public string Cell { get; set; } = "";
    [Name("hidden")] public long Hidden { get; set; }
    [Name("seq_len")] public long SeqLen { get; set; }
    [Name("seed")] public long Seed { get; set; }
    [Name("name")] public string Name { get; set; } = "";
    [Name("step")] public long Step { get; set; }
    [Name("epoch")] public long? Epoch { get; set; }
    [Name("value")] public double Value { get; set; }
    [Name("wall_time")] public double WallTime { get; set; }
}

public sealed class ProbesCsv
{
    [Name("trial_id")] public string TrialId { get; set; } = "";
    [Name("checkpoint")] public string Checkpoint { get; set; } = "";
    [Name("epoch")] public long Epoch { get; set; }
    [Name("step")] public long Step { get; set; }
    [Name("input")] public string Input { get; set; } = "";
    [Name("predicted")] public string Predicted { get; set; } = "";
    [Name("rank")] public long? Rank { get; set; }
    [Name("candidate")] public string? Candidate { get; set; }
    [Name("probability")] public double? Probability { get; set; }
}

public sealed class SamplesCsv
{
    [Name("trial_id")] public string TrialId { get; set; } = "";
    [Name("checkpoint")] public string Checkpoint { get; set; } = "";
    [Name("prime")] public string Prime { get; set; } = "";
    [Name("length")] public long Length { get; set; }
    [Name("temperature")] public double Temperature { get; set; }
    [Name("top_k")] public long TopK { get; set; }
    [Name("seed")] public long Seed { get; set; }
    [Name("text")] public string Text { get; set; } = "";
    [Name("created_at")] public string CreatedAt { get; set; } = "";
}
