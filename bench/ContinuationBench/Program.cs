using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using static BenchTools;

// Train-longer benchmark (issue 14 §1 and §4). With `./orchestrator` (the launcher, as a user runs it) on
// experiments/quick.yaml (18 trials × 50 steps an epoch) and the spec's own execution settings:
//   1. quick at 3 epochs into a fresh database A;
//   2. the same spec at 4 epochs into A: every trial continues from its ckpt_3 (one epoch each);
//   3. quick at 4 epochs into a fresh database B: every trial trained from the start.
// Before each run, `run --dry-run` on the same database gives its estimate; the bench prints it beside
// the measured wall time, and the extension's time as a share of the retraining's (target ≤ 30%).
// Usage: dotnet run -c Release --project bench/ContinuationBench [-- --keep]

var root = FindRoot();
var corpus = FindCorpus(root);
var quick = File.ReadAllText(Path.Combine(root, "experiments", "quick.yaml")).Replace("path: data/tinyshakespeare.txt", $"path: {corpus}", StringComparison.Ordinal);
if (!Regex.IsMatch(quick, @"(?m)^  epochs: 3\b")) throw new InvalidOperationException("experiments/quick.yaml no longer trains 3 epochs; adjust the bench");
var work = Directory.CreateTempSubdirectory("continuation-bench-").FullName;
var three = Write("quick3.yaml", quick);
var four = Write("quick4.yaml", Regex.Replace(quick, @"(?m)^  epochs: 3\b", "  epochs: 4"));
var (a, b) = (Path.Combine(work, "a", "orchestrator.db"), Path.Combine(work, "b", "orchestrator.db"));

Orchestrator(["--help"]); // the launcher builds when sources changed: the timed runs start warm
var first = Timed("quick, 3 epochs, fresh database", three, a);
var extend = Timed("quick, 3 → 4 epochs (continues)", four, a);
var retrain = Timed("quick, 4 epochs, fresh database", four, b);
if (!extend.Output.Contains("18 trials: 18 continue from ckpt_3 to epoch 4", StringComparison.Ordinal))
    throw new InvalidOperationException("the extension did not continue the 18 trials:\n" + extend.Output);

Console.WriteLine($"continuation benchmark: experiments/quick.yaml (18 trials × 50 steps an epoch, parallel 2, device cpu), {Environment.ProcessorCount} cores");
Console.WriteLine($"  {"run",-34} {"wall",9} {"estimate (dry run)",-40}");
foreach (var r in new[] { first, extend, retrain })
    Console.WriteLine($"  {r.Name,-34} {r.Seconds,7:0.0} s  {r.Estimate}");
Console.WriteLine($"  extension / retraining: {100 * extend.Seconds / retrain.Seconds:0.0} % (target ≤ 30 %)");
if (args.Contains("--keep")) Console.WriteLine($"  (kept the work folder {work})");
else Directory.Delete(work, recursive: true);
return 0;

string Write(string name, string text)
{
    var path = Path.Combine(work, name);
    File.WriteAllText(path, text);
    return path;
}

(string Name, double Seconds, string Estimate, string Output) Timed(string name, string spec, string db)
{
    var dry = Orchestrator(["run", spec, "--dry-run", "--db", db]);
    var line = dry.Split('\n').FirstOrDefault(l => l.StartsWith("estimate:", StringComparison.Ordinal)) ?? "(no estimate)";
    var wall = Regex.Match(line, @"wall time about (.+?\)) at").Groups[1].Value;
    var (recorded, measured) = (dry.Contains("at the speed of completed trials", StringComparison.Ordinal), dry.Contains("measured now", StringComparison.Ordinal));
    var basis = recorded && measured ? "recorded + measured" : recorded ? "recorded speeds" : "measured steps";
    var clock = Stopwatch.StartNew();
    var output = Orchestrator(["run", spec, "--db", db, "--plain"]);
    return (name, clock.Elapsed.TotalSeconds, $"{wall} [{basis}]", output);
}

string Orchestrator(string[] arguments) => Output(Path.Combine(root, "orchestrator"), arguments, work);
