using System.Diagnostics;
using System.Globalization;
using Core.Config;
using Core.Store;
using TestSupport;

// Store benchmark: how fast workers drain a sweep of no-op trials through the lease protocol.
// For each engine and worker count: a fresh store, one sweep of --trials trials; W workers start
// together and each loops claim → complete until nothing is left. A worker is a thread with a
// Database of its own (on PostgreSQL a connection pool of its own, so W server sessions claim at
// once, as W processes would; SQLite's workers share the process's pool of connections to one file).
// Reports throughput (trials claimed and completed per second, all workers together) and the latency
// of each successful claim (p50, p99). PostgreSQL: ORCHESTRATOR_TEST_PG or the local server
// (deploy/postgres/local-server.sh); each run makes a database of its own and drops it.
// Usage: dotnet run -c Release --project bench/StoreBench [-- --trials N] [--workers 1,4,16] [--engines sqlite,postgres]
// With --query: the memory and speed of `orchestrator query` streaming a large result instead (QueryMemory):
//        dotnet run -c Release --project bench/StoreBench -- --query [--rows 5000000] [--formats csv,table] [--engines sqlite,postgres]

var trialCount = int.Parse(Arg("--trials") ?? "400", CultureInfo.InvariantCulture);
var workerCounts = (Arg("--workers") ?? "1,4,16").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToList();
var engines = (Arg("--engines") ?? "sqlite,postgres").Split(',').Select(e => Enum.Parse<Backend>(e, ignoreCase: true)).ToList();

if (Environment.GetCommandLineArgs().Contains("--query"))
{
    QueryMemory.Print(engines, long.Parse(Arg("--rows") ?? "5000000", CultureInfo.InvariantCulture), (Arg("--formats") ?? "csv").Split(','));
    return 0;
}

Console.WriteLine($"store bench: {trialCount} no-op trials per run, claim + complete, lease 5 min; {Environment.ProcessorCount} cores");
Console.WriteLine($"{"engine",-10} {"workers",7} {"trials/s",10} {"claim p50",11} {"claim p99",11} {"wall",8}");
foreach (var engine in engines)
{
    foreach (var workers in workerCounts)
    {
        var r = Measure(engine, workers, trialCount);
        Console.WriteLine($"{engine.ToString().ToLowerInvariant(),-10} {workers,7} {r.Throughput,10:0} {r.P50Ms,9:0.00}ms {r.P99Ms,9:0.00}ms {r.Wall.TotalSeconds,7:0.00}s");
    }
}
return 0;

static Result Measure(Backend engine, int workers, int trialCount)
{
    using var store = TestStore.Create(engine, "bench");
    var db = store.Open();
    var members = Enumerable.Range(1, trialCount).Select(i =>
    {
        var c = new TrialConfig { Model = new ModelConfig { Hidden = i } };
        return new SweepMember(c.Id(), c.ToCanonicalJson(), i - 1, "{}", 0);
    }).ToList();
    new SweepRepository(db).Register("bench", null, null, members);

    var latencies = new List<double>[workers];
    using var barrier = new Barrier(workers + 1);
    var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
    {
        var own = engine == Backend.Postgres ? Database.Open($"{store.Db}?application_name=bench-{w}", store.Results) : store.Open();
        var trials = new TrialRepository(own);
        var owner = $"worker-{w}";
        var mine = latencies[w] = [];
        trials.Get(members[0].TrialId); // a warm connection before the clock starts
        barrier.SignalAndWait();
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            var t = trials.ClaimNext("bench", owner, TimeSpan.FromMinutes(5));
            if (t is null) break;
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (!trials.Complete(t.TrialId, owner)) throw new InvalidOperationException($"{owner} lost {t.TrialId}");
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    barrier.SignalAndWait();
    var wall = Stopwatch.StartNew();
    threads.ForEach(t => t.Join());
    wall.Stop();

    var all = latencies.SelectMany(l => l).Order().ToList();
    if (all.Count != trialCount) throw new InvalidOperationException($"{all.Count} claims for {trialCount} trials");
    return new Result(trialCount / wall.Elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), wall.Elapsed);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static string? Arg(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed record Result(double Throughput, double P50Ms, double P99Ms, TimeSpan Wall);
