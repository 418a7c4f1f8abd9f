using System.Text.Json.Serialization;

namespace Runner.Training;

/// <summary>
/// What a training run reports as it goes. The CLI prints each as one <c>@progress</c> JSON line
/// (snake_case keys, <c>event</c> first); the benchmark times them.
/// </summary>
public abstract record TrainingEvent([property: JsonPropertyOrder(-1)] string Event);

public sealed record StartEvent(string Trial, string Device, int Epochs, int StepsPerEpoch, long ResumedStep) : TrainingEvent("start");

/// <summary>Every log_every steps; Epoch is the 1-based epoch in progress.</summary>
public sealed record StepEvent(int Epoch, long Step, double Loss, double CharsPerSec) : TrainingEvent("step");

public sealed record EpochEvent(int Epoch, long Step, double TrainLoss, double TrainError, double ValLoss, double ValError, double CharsPerSec, double Seconds)
    : TrainingEvent("epoch");

public sealed record CheckpointEvent(string Name, long Step) : TrainingEvent("checkpoint");

public sealed record DoneEvent() : TrainingEvent("done");

/// <summary>Receives a run's events and its human-readable log lines.</summary>
public interface ITrainingObserver
{
    void OnEvent(TrainingEvent e);
    void Log(string message);
}
