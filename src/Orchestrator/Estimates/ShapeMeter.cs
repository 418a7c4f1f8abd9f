using System.Diagnostics;
using System.Globalization;
using Core.Spec;
using Orchestrator.Diagnostics;
using Orchestrator.Execution;

namespace Orchestrator.Estimates;

/// <summary>
/// Measures training shapes on this device: one <c>runner check</c> per shape (a few real steps of
/// that model after a warm-up), started as a run's first Runner would be (<see cref="Doctor.PrepareRunner"/>).
/// The process's time outside its steps is the Runner's start-up.
/// </summary>
internal static class ShapeMeter
{
    public const int Steps = 5;
    private const int Warmup = 2;

    public static async Task<(IReadOnlyList<MeasuredSpeed> Speeds, string? Problem)> MeasureAsync(ExecutionConfig execution, IReadOnlyList<TrainingShape> shapes, CancellationToken ct)
    {
        var (runner, failure) = Doctor.PrepareRunner(execution);
        if (runner is null) return ([], failure!.Finding);
        var speeds = new List<MeasuredSpeed>();
        foreach (var s in shapes)
        {
            string[] args =
            [
                .. runner.Args(execution), "--steps", Steps.ToString(CultureInfo.InvariantCulture), "--warmup", Warmup.ToString(CultureInfo.InvariantCulture),
                "--cell", s.Cell, "--embedding", Text(s.Embedding), "--hidden", Text(s.Hidden), "--layers", Text(s.Layers),
                "--batch-size", Text(s.BatchSize), "--seq-len", Text(s.SeqLen),
            ];
            var clock = Stopwatch.StartNew();
            var result = await RunnerCheckProcess.RunAsync(runner.Runner, args, runner.Environment, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            var wall = clock.Elapsed.TotalSeconds;
            if (result.Check?.Step is not { } step) return (speeds, $"the Runner could not time {s}: {result.Problem ?? "no step measured"}");
            var stepsRun = step.Seconds * (Steps + Warmup) / Steps;
            speeds.Add(new MeasuredSpeed(s, step.CharsPerSec, Math.Max(0, wall - stepsRun), Steps, result.Check.Device));
        }
        return (speeds, null);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
