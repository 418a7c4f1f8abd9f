using System.Text.Json;

namespace Orchestrator.Execution;

/// <summary>
/// One machine-readable progress line of the Runner (<c>@progress {json}</c>; see the process
/// contract). Unknown events and malformed lines are ignored rather than failing a trial.
/// </summary>
public abstract record RunnerEvent
{
    public const string Prefix = "@progress ";

    public sealed record Start(string Device, int Epochs, long StepsPerEpoch, long ResumedStep) : RunnerEvent;
    public sealed record StepLogged(int Epoch, long Step, double Loss, double CharsPerSec) : RunnerEvent;
    public sealed record EpochEnded(int Epoch, long Step, double TrainLoss, double ValLoss, double ValError, double CharsPerSec, double Seconds) : RunnerEvent;
    public sealed record CheckpointSaved(string Name, long Step) : RunnerEvent;
    public sealed record Done : RunnerEvent;

    /// <summary>Parses a stdout line; null if it is not a progress line or not one we understand.</summary>
    public static RunnerEvent? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            using var doc = JsonDocument.Parse(line.AsMemory(Prefix.Length));
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object) return null;
            return Str(o, "event") switch
            {
                "start" => new Start(Str(o, "device") ?? "?", (int)Num(o, "epochs"), (long)Num(o, "steps_per_epoch"), (long)Num(o, "resumed_step")),
                "step" => new StepLogged((int)Num(o, "epoch"), (long)Num(o, "step"), Num(o, "loss"), Num(o, "chars_per_sec")),
                "epoch" => new EpochEnded((int)Num(o, "epoch"), (long)Num(o, "step"), Num(o, "train_loss"), Num(o, "val_loss"),
                    Num(o, "val_error"), Num(o, "chars_per_sec"), Num(o, "seconds")),
                "checkpoint" => new CheckpointSaved(Str(o, "name") ?? "?", (long)Num(o, "step")),
                "done" => new Done(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A number field; counters default to 0, measurements to NaN (shown as "?").</summary>
    private static double Num(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : name is "loss" or "train_loss" or "val_loss" or "val_error" or "chars_per_sec" or "seconds" ? double.NaN : 0;
}
