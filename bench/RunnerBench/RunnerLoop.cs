using System.Diagnostics;
using Core.Config;
using Core.Contract;
using Core.Data;
using Core.Store;
using Runner.Training;
using static TorchSharp.torch;

namespace RunnerBench;

/// <summary>What one in-process run of the Runner's trial loop measured.</summary>
public sealed record RunnerMeasurement(double CharsPerSecond, double EpochEndSeconds, long Parameters, long RecurrentAndDenseParameters, IReadOnlyDictionary<long, (long Rss, long Managed)> MemoryAtStep);

/// <summary>
/// Runs the Runner's own <see cref="TrialRun"/> (data pipeline, training loop, metric buffering into
/// SQLite, validation, checkpoint with probe) in this process, timing its step events. A step event
/// comes after the loop has read its losses back from the device, so on a GPU the time between two
/// events covers the work queued in between.
/// </summary>
public static class RunnerLoop
{
    public static async Task<RunnerMeasurement> MeasureAsync(TrialConfig config, int warmup, int steps, IReadOnlyCollection<long> rssAt, Device device)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"runner-bench-{Guid.NewGuid():N}");
        try
        {
            var db = Database.Open(Path.Combine(folder, "bench.db"));
            var id = config.Id();
            new TrialRepository(db).Ensure(id, config.ToCanonicalJson());
            var observer = new TimingObserver(rssAt);
            using var http = new HttpClient();
            await new TrialRun(db, new CorpusStep(http), observer, TimeSpan.FromSeconds(5)).ExecuteAsync(id, config, device, CancellationToken.None, CancellationToken.None);

            var t0 = observer.StepTimes[warmup];
            var t1 = observer.StepTimes[warmup + steps];
            var chars = (double)steps * config.Train.BatchSize * config.Data.SeqLen;
            var epochEnd = Stopwatch.GetElapsedTime(observer.StepTimes[observer.StepTimes.Keys.Max()], observer.LastCheckpoint).TotalSeconds;
            var layers = new ResultRepository(db).Architecture(id);
            var total = layers.Sum(l => l.Params);
            var recurrentAndDense = layers.Where(l => l.Layer != "embedding").Sum(l => l.Params);
            return new RunnerMeasurement(chars / Stopwatch.GetElapsedTime(t0, t1).TotalSeconds, epochEnd, total, recurrentAndDense, observer.Rss);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed class TimingObserver(IReadOnlyCollection<long> rssAt) : ITrainingObserver
    {
        public Dictionary<long, long> StepTimes { get; } = [];
        public Dictionary<long, (long Rss, long Managed)> Rss { get; } = [];
        public long LastCheckpoint { get; private set; }

        public void OnEvent(RunnerEvent e)
        {
            var now = Stopwatch.GetTimestamp();
            switch (e)
            {
                case StepEvent s:
                    StepTimes[s.Step] = now;
                    if (rssAt.Contains(s.Step))
                    {
                        using var self = Process.GetCurrentProcess();
                        var rss = self.WorkingSet64; // before the forced collection below, so RSS is the loop's own
                        Rss[s.Step] = (rss, GC.GetTotalMemory(forceFullCollection: true));
                    }
                    break;
                case CheckpointEvent:
                    LastCheckpoint = now;
                    break;
            }
        }

        public void Log(string message) { }
    }
}
