using System.Diagnostics;
using System.Globalization;
using Core.Store;
using static BenchTools;

// Orchestration overhead benchmark. Runs `./orchestrator run` (the launcher, as a user does) on a
// sweep of 12 trials × 50 steps into a fresh database, then reads from the store:
//   - per-trial start-up: the claim (attempt started_at) to the first training step's metric;
//   - each trial's own time: claim → attempt end, and its training loop (Σ epoch_seconds);
//   - the orchestrator's overhead: wall time − Σ trial time (parallel 1: trials run back to back).
// Usage: dotnet run -c Release --project bench/OrchestratorBench [-- --parallel N] [--threads N] [--steps N] [--keep]

var parallel = Arg("--parallel", 1);
var steps = Arg("--steps", 50);
var threads = Arg("--threads", 0); // 0: the cores divided between the parallel trials
var root = FindRoot();
var corpus = FindCorpus(root);

var work = Directory.CreateTempSubdirectory("orchestrator-bench-").FullName;
var spec = Path.Combine(work, "bench.yaml");
File.WriteAllText(spec, $"""
    name: bench
    data: {"{"} path: {corpus}, val_fraction: 0.1 {"}"}
    model: {"{"} embedding: 32 {"}"}
    train: {"{"} batch_size: 32, epochs: 1, max_steps: {steps}, log_every: 1, val_batches: 4, lr: 0.005 {"}"}
    probe: {"{"} text: peo {"}"}
    sample: {"{"} prime: JULIET, length: 100 {"}"}
    grid:
      model.cell: [gru, lstm]
      model.hidden: [32, 64, 128]
      data.seq_len: [25, 50]
    execution: {"{"} device: cpu, parallel: {parallel}, threads_per_trial: {threads}, retries: 0, lease_seconds: 30 {"}"}
    """);
var db = Path.Combine(work, "results", "orchestrator.db");

// Build first (the launcher builds when sources changed), so the timed run is a warm start.
Run(Path.Combine(root, "orchestrator"), ["--help"], work);
var wall = Stopwatch.StartNew();
Run(Path.Combine(root, "orchestrator"), ["run", spec, "--db", db, "--plain"], work);
wall.Stop();

var trials = ReadOnlyQuery.Run(Database.OpenReadOnly(db), """
    SELECT a.trial_id, a.started_at, a.ended_at,
           (SELECT MIN(wall_time) FROM metrics m WHERE m.trial_id = a.trial_id AND m.name = 'train_loss'),
           (SELECT SUM(value) FROM metrics m WHERE m.trial_id = a.trial_id AND m.name = 'epoch_seconds'),
           t.state
    FROM attempts a JOIN trials t ON t.trial_id = a.trial_id ORDER BY a.started_at
    """, CancellationToken.None).Rows
    .Select(r => (TrialId: (string)r[0]!, Started: (string)r[1]!, Ended: (string)r[2]!, FirstStep: Convert.ToDouble(r[3], CultureInfo.InvariantCulture),
                  TrainSeconds: Convert.ToDouble(r[4], CultureInfo.InvariantCulture), State: (string)r[5]!))
    .ToList();
if (trials.Count != 12 || trials.Any(t => t.State != "completed"))
    throw new InvalidOperationException($"expected 12 completed trials with one attempt each, got {trials.Count}: {string.Join(", ", trials.Select(t => t.State))}");

static double Unix(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0;
var startup = trials.Select(t => t.FirstStep - Unix(t.Started)).Order().ToList();
var trialSeconds = trials.Select(t => Unix(t.Ended) - Unix(t.Started)).ToList();
var trainSeconds = trials.Sum(t => t.TrainSeconds);
var attemptSum = trialSeconds.Sum();
var gaps = parallel == 1 ? wall.Elapsed.TotalSeconds - attemptSum : double.NaN;

Console.WriteLine($"orchestrator benchmark: 12 trials × {steps} steps, parallel {parallel}, threads per trial {(threads == 0 ? Math.Max(1, Environment.ProcessorCount / parallel) : threads)}, {Environment.ProcessorCount} cores, corpus {Path.GetFileName(corpus)}");
Console.WriteLine($"  wall time of `orchestrator run`             {wall.Elapsed.TotalSeconds,8:0.00} s");
Console.WriteLine($"  Σ trials' training loops (epoch_seconds)    {trainSeconds,8:0.00} s");
Console.WriteLine($"  Σ trials' attempts (claim → Runner exit)    {attemptSum,8:0.00} s");
Console.WriteLine($"  per-trial start-up (claim → first step)     median {Median(startup):0.00} s, min {startup[0]:0.00} s, max {startup[^1]:0.00} s");
Console.WriteLine($"  per-trial overhead beyond training          {(wall.Elapsed.TotalSeconds * parallel - trainSeconds) / 12,8:0.00} s  ((wall × parallel − Σ training) / 12)");
if (parallel == 1)
    Console.WriteLine($"  orchestrator's own time between trials      {gaps,8:0.00} s  (wall − Σ attempts: CLI start, planning, claims, summary)");
var perTrial = (wall.Elapsed.TotalSeconds * parallel - trainSeconds) / 12;
Console.WriteLine($"  overhead for trials of a minute             {100 * perTrial / (60 + perTrial),8:0.0} %  (per-trial overhead / (60 s + it))");
if (args.Contains("--keep")) Console.WriteLine($"  (kept the work folder {work})");
else Directory.Delete(work, recursive: true);
return 0;

static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
