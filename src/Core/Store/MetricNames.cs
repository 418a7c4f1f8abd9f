namespace Core.Store;

/// <summary>The metric names the Runner records and Reporting reads. Per-epoch metrics carry the epoch number.</summary>
public static class MetricNames
{
    /// <summary>Training loss of one batch, every <c>log_every</c> steps.</summary>
    public const string TrainLoss = "train_loss";
    /// <summary>Mean training loss over the epoch's batches (per epoch).</summary>
    public const string EpochTrainLoss = "epoch_train_loss";
    /// <summary>1 − next-character accuracy on the training batches of the epoch (per epoch).</summary>
    public const string TrainError = "train_error";
    public const string ValLoss = "val_loss";
    public const string ValError = "val_error";
    /// <summary>Training characters (batch × seq_len per step) per second over the epoch.</summary>
    public const string CharsPerSec = "chars_per_sec";
    public const string EpochSeconds = "epoch_seconds";
}
