using Core.Contract;
using Runner.Training;

namespace Runner.Cli;

/// <summary>
/// Prints events as <see cref="ProgressLine"/>s on stdout (the orchestrator reads them) and log
/// lines on stderr, where a warning is logged too.
/// </summary>
internal sealed class ConsoleObserver : ITrainingObserver
{
    public void OnEvent(RunnerEvent e)
    {
        Console.Out.WriteLine(ProgressLine.Format(e));
        switch (e)
        {
            case EpochEvent x:
                Log($"epoch {x.Epoch} (step {x.Step}): train loss {x.TrainLoss:0.0000}, train error {x.TrainError:0.0000}, " +
                    $"val loss {x.ValLoss:0.0000}, val error {x.ValError:0.0000}, {x.CharsPerSec:N0} chars/s, {x.Seconds:0.0} s");
                break;
            case WarningEvent w:
                Log($"warning: {w.Message}");
                break;
        }
    }

    /// <summary>Reports a warning: as an event for the orchestrator, and on stderr.</summary>
    public void Warn(string message) => OnEvent(new WarningEvent(message));

    public void Log(string message) => Console.Error.WriteLine($"runner: {message}");
}
