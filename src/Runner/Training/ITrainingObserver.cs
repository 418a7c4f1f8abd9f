using Core.Contract;

namespace Runner.Training;

/// <summary>Receives a run's events (<see cref="RunnerEvent"/>, the process contract) and its human-readable log lines.</summary>
internal interface ITrainingObserver
{
    void OnEvent(RunnerEvent e);
    void Log(string message);
}
