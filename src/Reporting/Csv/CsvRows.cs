using CsvHelper.Configuration.Attributes;

namespace Reporting.Csv;

// The rows of the four CSV files. Column names are snake_case like the store's; [Index] fixes the order.

/// <summary>trials.csv: one row per trial of the sweep — config, progress, final and best metrics (the columns of the store's trial_summary view and a few more).</summary>
internal sealed class TrialCsvRow
{
    [Index(0), Name("sweep")] public string Sweep { get; set; } = "";
    [Index(1), Name("ordinal")] public int Ordinal { get; set; }
    [Index(2), Name("trial_id")] public string TrialId { get; set; } = "";
    [Index(3), Name("repeat")] public int Repeat { get; set; }
    [Index(4), Name("state")] public string State { get; set; } = "";
    [Index(5), Name("attempt")] public int Attempt { get; set; }
    [Index(6), Name("cell")] public string Cell { get; set; } = "";
    [Index(7), Name("embedding")] public int Embedding { get; set; }
    [Index(8), Name("hidden")] public int Hidden { get; set; }
    [Index(9), Name("layers")] public int Layers { get; set; }
    [Index(10), Name("dropout")] public double Dropout { get; set; }
    [Index(11), Name("seq_len")] public int SeqLen { get; set; }
    [Index(12), Name("batch_size")] public int BatchSize { get; set; }
    [Index(13), Name("lr")] public double Lr { get; set; }
    [Index(14), Name("epochs")] public int Epochs { get; set; }
    [Index(15), Name("max_steps")] public int MaxSteps { get; set; }
    [Index(16), Name("seed")] public long Seed { get; set; }
    [Index(17), Name("epochs_done")] public int EpochsDone { get; set; }
    [Index(18), Name("steps_done")] public long StepsDone { get; set; }
    [Index(19), Name("device")] public string? Device { get; set; }
    [Index(20), Name("params")] public long? Params { get; set; }
    [Index(21), Name("vocab_size")] public int? VocabSize { get; set; }
    [Index(22), Name("final_train_loss")] public double? FinalTrainLoss { get; set; }
    [Index(23), Name("final_val_loss")] public double? FinalValLoss { get; set; }
    [Index(24), Name("final_val_error")] public double? FinalValError { get; set; }
    [Index(25), Name("final_train_error")] public double? FinalTrainError { get; set; }
    [Index(26), Name("best_val_loss")] public double? BestValLoss { get; set; }
    [Index(27), Name("best_epoch")] public int? BestEpoch { get; set; }
    [Index(28), Name("best_val_error")] public double? BestValError { get; set; }
    [Index(29), Name("overfit_gap")] public double? OverfitGap { get; set; }
    [Index(30), Name("chars_per_sec")] public double? CharsPerSec { get; set; }
    [Index(31), Name("train_seconds")] public double? TrainSeconds { get; set; }
    [Index(32), Name("exit_code")] public int? ExitCode { get; set; }
    [Index(33), Name("failure")] public string? Failure { get; set; }
}

/// <summary>metrics.csv: every metric row of the sweep's trials (long form), with the main config columns for plotting.</summary>
internal sealed class MetricCsvRow
{
    [Index(0), Name("trial_id")] public string TrialId { get; set; } = "";
    [Index(1), Name("cell")] public string Cell { get; set; } = "";
    [Index(2), Name("hidden")] public int Hidden { get; set; }
    [Index(3), Name("seq_len")] public int SeqLen { get; set; }
    [Index(4), Name("seed")] public long Seed { get; set; }
    [Index(5), Name("name")] public string Name { get; set; } = "";
    [Index(6), Name("step")] public long Step { get; set; }
    [Index(7), Name("epoch")] public int? Epoch { get; set; }
    [Index(8), Name("value")] public double Value { get; set; }
    [Index(9), Name("wall_time")] public double WallTime { get; set; }
}

/// <summary>probes.csv: one row per candidate of each probe (rank 1 = most likely; no candidate columns if none were recorded).</summary>
internal sealed class ProbeCsvRow
{
    [Index(0), Name("trial_id")] public string TrialId { get; set; } = "";
    [Index(1), Name("checkpoint")] public string Checkpoint { get; set; } = "";
    [Index(2), Name("epoch")] public int Epoch { get; set; }
    [Index(3), Name("step")] public long Step { get; set; }
    [Index(4), Name("input")] public string Input { get; set; } = "";
    [Index(5), Name("predicted")] public string Predicted { get; set; } = "";
    [Index(6), Name("rank")] public int? Rank { get; set; }
    [Index(7), Name("candidate")] public string? Candidate { get; set; }
    [Index(8), Name("probability")] public double? Probability { get; set; }
}

/// <summary>samples.csv: every generated text of the sweep's trials.</summary>
internal sealed class SampleCsvRow
{
    [Index(0), Name("trial_id")] public string TrialId { get; set; } = "";
    [Index(1), Name("checkpoint")] public string Checkpoint { get; set; } = "";
    [Index(2), Name("prime")] public string Prime { get; set; } = "";
    [Index(3), Name("length")] public int Length { get; set; }
    [Index(4), Name("temperature")] public double Temperature { get; set; }
    [Index(5), Name("top_k")] public int TopK { get; set; }
    [Index(6), Name("seed")] public long Seed { get; set; }
    [Index(7), Name("text")] public string Text { get; set; } = "";
    [Index(8), Name("created_at")] public string CreatedAt { get; set; } = "";
}
