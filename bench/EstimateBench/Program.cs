using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using static BenchTools;

// Estimate benchmark (issue 14 §4): how close `run --dry-run`'s estimate of the wall time comes to the
// measured wall time of the same run, with `./orchestrator` (the launcher, as a user runs it).
// For each spec (default: experiments/quick.yaml and bench/EstimateBench/bigger.yaml):
//   1. a fresh database: the dry run measures a few steps of each shape on this machine, then the sweep runs;
//   2. the same spec with another train.seed into that database (new trials of the same shapes): the dry
//      run estimates from the speeds recorded in 1, then the sweep runs.
// Usage: dotnet run -c Release --project bench/EstimateBench [-- SPEC.yaml ...] [--keep]

var root = FindRoot();
var corpus = FindCorpus(root);
var specs = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (specs.Count == 0) specs = [Path.Combine(root, "experiments", "quick.yaml"), Path.Combine(root, "bench", "EstimateBench", "bigger.yaml")];
var work = Directory.CreateTempSubdirectory("estimate-bench-").FullName;
var loadBefore = Load();

Orchestrator(["--help"]); // the launcher builds when sources changed: the timed runs start warm
var rows = new List<(string Name, double Seconds, double Estimate, double Low, double High, string Basis)>();
foreach (var spec in specs)
{
    var text = File.ReadAllText(spec).Replace("path: data/tinyshakespeare.txt", $"path: {corpus}", StringComparison.Ordinal);
    var seed = Regex.Match(text, @"(?m)^  seed: (\d+)\b");
    if (!seed.Success) throw new InvalidOperationException($"{spec} has no train.seed line to change");
    var name = Path.GetFileNameWithoutExtension(spec);
    var db = Path.Combine(work, name, "orchestrator.db");
    var first = Write(name + ".yaml", text);
    var second = Write(name + "-seed2.yaml", Regex.Replace(text, @"(?m)^  seed: \d+\b", $"  seed: {long.Parse(seed.Groups[1].Value, CultureInfo.InvariantCulture) + 1}"));
    rows.Add(Timed($"{name}, fresh database", first, db));
    rows.Add(Timed($"{name}, another seed", second, db));
}

Console.WriteLine($"estimate benchmark: {Environment.ProcessorCount} cores, load average before the first run {loadBefore}, after the last {Load()}");
Console.WriteLine($"  {"run",-34} {"wall",9} {"estimate (range)",-28} {"estimate / wall",15}  basis");
foreach (var r in rows)
    Console.WriteLine($"  {r.Name,-34} {r.Seconds,7:0.0} s  {$"{r.Estimate:0} s ({r.Low:0} – {r.High:0})",-28} {r.Estimate / r.Seconds,15:0.00}  {r.Basis}");
if (args.Contains("--keep")) Console.WriteLine($"  (kept the work folder {work})");
else Directory.Delete(work, recursive: true);
return 0;

string Write(string name, string text)
{
    var path = Path.Combine(work, name);
    File.WriteAllText(path, text);
    return path;
}

(string Name, double Seconds, double Estimate, double Low, double High, string Basis) Timed(string name, string spec, string db)
{
    var dry = Orchestrator(["run", spec, "--dry-run", "--db", db]);
    var line = dry.Split('\n').FirstOrDefault(l => l.StartsWith("estimate:", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("the dry run printed no estimate:\n" + dry);
    var wall = Regex.Match(line, @"wall time about (.+?) \((.+?) – (.+?)\) at");
    if (!wall.Success) throw new InvalidOperationException("cannot read the estimate line: " + line);
    var (recorded, measured) = (dry.Contains("at the speed of completed trials", StringComparison.Ordinal), dry.Contains("measured now", StringComparison.Ordinal));
    var basis = recorded && measured ? "recorded + measured" : recorded ? "recorded speeds" : "measured steps";
    var clock = Stopwatch.StartNew();
    Orchestrator(["run", spec, "--db", db, "--plain"]);
    return (name, clock.Elapsed.TotalSeconds, Seconds(wall.Groups[1].Value), Seconds(wall.Groups[2].Value), Seconds(wall.Groups[3].Value), basis);
}

// "42 s", "3 min 20 s", "2 h 05 min" (SweepEstimate.Duration) back to seconds.
static double Seconds(string duration)
{
    double total = 0;
    foreach (Match m in Regex.Matches(duration, @"(\d+) (h|min|s)\b"))
        total += int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch { "h" => 3600, "min" => 60, _ => 1 };
    return total;
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

string Orchestrator(string[] arguments) => Output(Path.Combine(root, "orchestrator"), arguments, work);
