using System.Diagnostics;
using System.Globalization;
using Core.Store;
using static BenchTools;

// Early-stopping benchmark. The same CPU sweep of 8 trials, half of them hopeless (a learning rate
// 300 times too small), run by `./orchestrator run` (the launcher, as a user does) three times into
// fresh databases: without early stopping, with the median rule and with asha. For each: the
// optimizer steps trained (Σ trials.step), the wall time, how many trials were stopped, and the best
// completed trial with its best validation loss: the same winner as without early stopping?
// Usage: dotnet run -c Release --project bench/EarlyStoppingBench [-- --epochs N] [--steps N] [--keep]

var epochs = Arg("--epochs", 8);
var steps = Arg("--steps", 25);
var root = FindRoot();
var corpus = FindCorpus(root);
var work = Directory.CreateTempSubdirectory("early-stopping-bench-").FullName;

(string Name, string? Rule)[] variants =
[
    ("none", null),
    ("median", "{ rule: median, metric: val_loss, grace_epochs: 1 }"),
    ("asha", "{ rule: asha, metric: val_loss, grace_epochs: 1, reduction_factor: 3 }"),
];
Run(Path.Combine(root, "orchestrator"), ["--help"], work); // builds first when sources changed: the timed runs start warm
var results = new List<(string Name, long Steps, double Wall, int Stopped, string Best, double BestLoss)>();
foreach (var (name, rule) in variants)
{
    var spec = Path.Combine(work, $"{name}.yaml");
    File.WriteAllText(spec, $"""
        name: es-{name}
        data: {"{"} path: {corpus}, val_fraction: 0.1 {"}"}
        model: {"{"} embedding: 16 {"}"}
        train: {"{"} batch_size: 32, epochs: {epochs}, max_steps: {steps}, log_every: 5, val_batches: 4, seed: 3 {"}"}
        probe: {"{"} text: peo {"}"}
        sample: {"{"} prime: JULIET, length: 50 {"}"}
        grid:
          train.lr: [0.003, 0.00001]
          model.hidden: [32, 64]
          data.seq_len: [25, 50]
        execution: {"{"} device: cpu, parallel: 1, retries: 0, lease_seconds: 30 {"}"}
        {(rule is null ? "" : $"early_stopping: {rule}")}
        """);
    var db = Path.Combine(work, name, "orchestrator.db");
    var wall = Stopwatch.StartNew();
    Run(Path.Combine(root, "orchestrator"), ["run", spec, "--db", db, "--plain"], work);
    wall.Stop();
    var rows = ReadOnlyQuery.Run(Database.OpenReadOnly(db),
        $"SELECT trial_id, state, steps_done, best_val_loss, lr, hidden, seq_len FROM trial_summary WHERE sweep = 'es-{name}' ORDER BY ordinal", CancellationToken.None).Rows;
    var best = rows.Where(r => (string)r[1]! == "completed").MinBy(r => Convert.ToDouble(r[3], CultureInfo.InvariantCulture))!;
    results.Add((name, rows.Sum(r => Convert.ToInt64(r[2], CultureInfo.InvariantCulture)), wall.Elapsed.TotalSeconds, rows.Count(r => (string)r[1]! == "stopped"),
        $"{best[0]} (lr {F(best[4])}, hidden {best[5]}, seq_len {best[6]})", Convert.ToDouble(best[3], CultureInfo.InvariantCulture)));
}

var none = results[0];
Console.WriteLine($"early-stopping benchmark: 8 trials (train.lr [0.003, 0.00001] × hidden [32, 64] × seq_len [25, 50]), {epochs} epochs × {steps} steps, "
                  + $"batch 32, parallel 1, {Environment.ProcessorCount} cores, corpus {Path.GetFileName(corpus)}");
Console.WriteLine($"  {"rule",-7} {"steps",6} {"fewer",7} {"wall s",7} {"stopped",8}  best completed trial (best val loss)  same winner?");
foreach (var r in results)
    Console.WriteLine($"  {r.Name,-7} {r.Steps,6} {100.0 * (none.Steps - r.Steps) / none.Steps,6:0.0}% {r.Wall,7:0.0} {r.Stopped,8}  {r.Best} ({r.BestLoss:0.0000})  "
                      + (r.Best == none.Best ? $"yes{(r.BestLoss == none.BestLoss ? ", same loss" : "")}" : "no"));
if (args.Contains("--keep")) Console.WriteLine($"  (kept the work folder {work})");
else Directory.Delete(work, recursive: true);
return 0;

static string F(object? v) => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("0.#####", CultureInfo.InvariantCulture);

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
