namespace Runner.Training;

/// <summary>How a training run ended (divergence throws <see cref="DivergedException"/> instead).</summary>
internal enum TrainOutcome
{
    /// <summary>All epochs trained; the final checkpoint is written.</summary>
    Completed,
    /// <summary>A stop was requested (SIGINT/SIGTERM); a checkpoint of the last step is written.</summary>
    Interrupted,
    /// <summary>Another owner took the trial; the run stopped without writing anything more.</summary>
    LeaseLost,
    /// <summary>An early-stopping rule stopped the trial at an epoch end, after its checkpoint (<see cref="Trainer.Stopped"/> says why).</summary>
    Stopped,
}
