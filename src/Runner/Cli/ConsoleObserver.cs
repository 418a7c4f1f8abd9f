using System.Text.Json;
using Runner.Training;

namespace Runner.Cli;

/// <summary>Prints events as <c>@progress {json}</c> lines on stdout (the orchestrator reads them) and log lines on stderr.</summary>
public sealed class ConsoleObserver : ITrainingObserver
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void OnEvent(TrainingEvent e)
    {
        Console.Out.WriteLine("@progress " + JsonSerializer.Serialize(e, e.GetType(), Json));
        if (e is EpochEvent x)
            Log($"epoch {x.Epoch} (step {x.Step}): train loss {x.TrainLoss:0.0000}, train error {x.TrainError:0.0000}, " +
                $"val loss {x.ValLoss:0.0000}, val error {x.ValError:0.0000}, {x.CharsPerSec:N0} chars/s, {x.Seconds:0.0} s");
    }

    public void Log(string message) => Console.Error.WriteLine($"runner: {message}");
}
