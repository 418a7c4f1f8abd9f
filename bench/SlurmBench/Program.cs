using System.Diagnostics;
using System.Globalization;
using Core.Store;
using static BenchTools;

// Slurm overhead benchmark. Runs experiments/quick.yaml (18 trials × 3 epochs × 50 steps, the real
// corpus) twice through `./orchestrator run`, each into a fresh database: once with the local
// executor, once with the slurm executor on the local one-node cluster (deploy/slurm/local-cluster.sh),
// two trials at once in both (one thread each: cpus_per_task 1). Then reads from each store:
//   - Σ training loops (epoch_seconds) and Σ attempts (claim → Runner exit);
//   - overhead = wall × parallel − Σ training: everything that is not a training loop (CLI and worker
//     start-up, submission and scheduling, Runner start-up, data, checkpoints, probes, samples);
// and prints the Slurm run's overhead and wall time as ratios to the local run's.
// Usage: dotnet run -c Release --project bench/SlurmBench [-- --rounds N] [--keep]

var root = FindRoot();
var corpus = new[] { Path.Combine(root, "data", "tinyshakespeare.txt"), Path.Combine(root, "..", "shared", "data", "tinyshakespeare.txt"), "/work/shared/data/tinyshakespeare.txt" }
    .Select(Path.GetFullPath).FirstOrDefault(File.Exists)
    ?? throw new FileNotFoundException("the benchmark trains on data/tinyshakespeare.txt; put the corpus there (see the README)");
const int parallel = 2;

var work = Directory.CreateTempSubdirectory("slurm-bench-").FullName;
var quick = File.ReadAllText(Path.Combine(root, "experiments", "quick.yaml"))
    .Replace("path: data/tinyshakespeare.txt", $"path: {corpus}", StringComparison.Ordinal);
if (!quick.Contains($"parallel: {parallel}", StringComparison.Ordinal)) throw new InvalidOperationException($"experiments/quick.yaml no longer runs {parallel} trials at once; update the benchmark");
var spec = Path.Combine(work, "quick.yaml");
File.WriteAllText(spec, quick.TrimEnd() + "\n  slurm: { partition: debug, cpus_per_task: 1, mem: 1G }\n");

// Build first (the launcher builds when sources changed), so every timed run starts warm.
Run(Path.Combine(root, "orchestrator"), ["--help"], work);
var rounds = args.Contains("--rounds") ? int.Parse(args[Array.IndexOf(args, "--rounds") + 1], CultureInfo.InvariantCulture) : 1;
var results = new List<(Result Local, Result Slurm)>();
for (var round = 1; round <= rounds; round++)
{
    // Local, then Slurm, in each round: a machine whose load drifts weighs on both alike.
    var local = Measure("local", round);
    var slurm = Measure("slurm", round);
    results.Add((local, slurm));
    Report($"round {round} of {rounds}", local, slurm);
}
if (rounds > 1)
    Report($"all {rounds} rounds (sums)", Sum(results.Select(r => r.Local)), Sum(results.Select(r => r.Slurm)));
if (args.Contains("--keep")) Console.WriteLine($"  (kept the work folder {work})");
else Directory.Delete(work, recursive: true);
return 0;

void Report(string title, Result local, Result slurm)
{
    Console.WriteLine($"slurm benchmark, {title}: experiments/quick.yaml ({local.Trials} trials), {parallel} at once, one thread each, "
                      + $"{Environment.ProcessorCount} cores, corpus {Path.GetFileName(corpus)}");
    Console.WriteLine($"{"",-44}{"local",10}{"slurm",10}");
    Row("wall time of `orchestrator run` (s)", local.Wall, slurm.Wall);
    Row("Σ trials' training loops (s)", local.Training, slurm.Training);
    Row("Σ trials' attempts, claim → exit (s)", local.Attempts, slurm.Attempts);
    Row("overhead: wall × parallel − Σ training (s)", local.Overhead, slurm.Overhead);
    Row("overhead per trial (s)", local.Overhead / local.Trials, slurm.Overhead / slurm.Trials);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  overhead ratio slurm / local   {slurm.Overhead / local.Overhead:0.00}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wall-time ratio slurm / local  {slurm.Wall / local.Wall:0.00}"));
}

static Result Sum(IEnumerable<Result> results)
{
    var list = results.ToList();
    return new Result(list.Sum(r => r.Trials), list.Sum(r => r.Wall), list.Sum(r => r.Training), list.Sum(r => r.Attempts), list.Sum(r => r.Overhead));
}

Result Measure(string executor, int round)
{
    var db = Path.Combine(work, $"{executor}-{round}", "orchestrator.db");
    var wall = Stopwatch.StartNew();
    Run(Path.Combine(root, "orchestrator"), ["run", spec, "--executor", executor, "--db", db, "--plain"], work);
    wall.Stop();
    var rows = ReadOnlyQuery.Run(Database.OpenReadOnly(db), """
        SELECT t.state,
               (SELECT COALESCE(SUM(value), 0) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'epoch_seconds'),
               (SELECT SUM((julianday(a.ended_at) - julianday(a.started_at)) * 86400) FROM attempts a WHERE a.trial_id = t.trial_id)
        FROM trials t
        """, CancellationToken.None).Rows
        .Select(r => (State: (string)r[0]!, Training: Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Attempts: Convert.ToDouble(r[2], CultureInfo.InvariantCulture)))
        .ToList();
    if (rows.Count == 0 || rows.Any(r => r.State != "completed"))
        throw new InvalidOperationException($"{executor}: expected every trial completed, got {string.Join(", ", rows.Select(r => r.State))}");
    var training = rows.Sum(r => r.Training);
    return new Result(rows.Count, wall.Elapsed.TotalSeconds, training, rows.Sum(r => r.Attempts), wall.Elapsed.TotalSeconds * parallel - training);
}

static void Row(string label, double local, double slurm) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-42}{local,10:0.00}{slurm,10:0.00}"));



internal sealed record Result(int Trials, double Wall, double Training, double Attempts, double Overhead);
