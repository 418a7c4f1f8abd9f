using System.Text.Json.Serialization;

namespace Core.Contract;

/// <summary>
/// What a Runner reports while it trains a trial: one <see cref="ProgressLine"/> per event on its
/// stdout. The Runner writes these records and the orchestrator reads the same records; the
/// <c>event</c> property names the kind. The process contract is described in docs/contract.md.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "event")]
[JsonDerivedType(typeof(StartEvent), "start")]
[JsonDerivedType(typeof(StepEvent), "step")]
[JsonDerivedType(typeof(EpochEvent), "epoch")]
[JsonDerivedType(typeof(CheckpointEvent), "checkpoint")]
[JsonDerivedType(typeof(WarningEvent), "warning")]
[JsonDerivedType(typeof(FailureEvent), "failure")]
[JsonDerivedType(typeof(DoneEvent), "done")]
public abstract record RunnerEvent;

/// <summary>Training starts (or resumes) at <paramref name="ResumedStep"/> of <paramref name="Epochs"/> × <paramref name="StepsPerEpoch"/> steps.</summary>
public sealed record StartEvent(string Trial, string Device, int Epochs, int StepsPerEpoch, long ResumedStep) : RunnerEvent;

/// <summary>Every log_every steps; <paramref name="Epoch"/> is the 1-based epoch in progress.</summary>
public sealed record StepEvent(int Epoch, long Step, double Loss, double CharsPerSec) : RunnerEvent;

/// <summary>An epoch ended at global step <paramref name="Step"/>; its metrics as recorded.</summary>
public sealed record EpochEvent(int Epoch, long Step, double TrainLoss, double TrainError, double ValLoss, double ValError, double CharsPerSec, double Seconds)
    : RunnerEvent;

/// <summary>A checkpoint was written and recorded.</summary>
public sealed record CheckpointEvent(string Name, long Step) : RunnerEvent;

/// <summary>Something the user should see that does not stop the trial, e.g. a damaged checkpoint that resume skipped.</summary>
public sealed record WarningEvent(string Message) : RunnerEvent;

/// <summary>
/// Why the Runner is about to exit without finishing the trial: a <see cref="FailureKind"/> and a
/// one-line message meant for people (no stack trace; that goes to stderr). The exit code that
/// follows is <see cref="RunnerExitCode.For"/> of the kind.
/// </summary>
public sealed record FailureEvent(string Kind, string Message) : RunnerEvent;

/// <summary>The trial is completed and recorded.</summary>
public sealed record DoneEvent : RunnerEvent;
