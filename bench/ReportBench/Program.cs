using System.Diagnostics;
using System.Globalization;
using Core.Store;
using Reporting;
using Reporting.Tests.Support;

// Usage: dotnet run -c Release --project bench/ReportBench [-- --out DIR] [--runs N]
// Builds a sweep of 18 completed trials (gru, lstm × hidden 256, 512, 1024 × seq_len 50, 100, 150),
// 5 epochs of 1,000 logged steps each, through the Core repositories, then times ReportWriter.Write.
// With --db PATH [--sweep NAME] it times the report of an existing database instead.
var outDir = Arg("--out");
var runs = int.Parse(Arg("--runs") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
const int Epochs = 5, LoggedStepsPerEpoch = 1000, LogEvery = 10;

if (Arg("--db") is { } existing)
{
    var db = Database.OpenReadOnly(existing);
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        var r = new ReportWriter(db).Write(Arg("--sweep"), outDir, CancellationToken.None);
        Console.WriteLine($"run {i + 1}: report of sweep '{r.Sweep}' written to {r.OutDir} in {sw.Elapsed.TotalSeconds:F2} s ({r.Files.Count} files)");
    }
    return;
}

var root = Path.Combine(Path.GetTempPath(), $"report-bench-{Guid.NewGuid():N}"[..25]);
Directory.CreateDirectory(root);
try
{
    var dbPath = Path.Combine(root, "orchestrator.db");
    var build = Stopwatch.StartNew();
    var db = Database.Open(dbPath);
    var store = new SyntheticStore(db);
    var trials = SyntheticStore.Grid(["gru", "lstm"], [256, 512, 1024], [50, 100, 150], epochs: Epochs, logEvery: LogEvery);
    store.Register("bench", trials);
    foreach (var t in trials) store.Record(t, stepsPerEpoch: LoggedStepsPerEpoch * LogEvery);
    build.Stop();
    var metricRows = Convert.ToInt64(ReadOnlyQuery.Run(Database.OpenReadOnly(dbPath), "SELECT COUNT(*) FROM metrics", CancellationToken.None).Rows[0][0], CultureInfo.InvariantCulture);
    Console.WriteLine($"database: {trials.Count} trials × {Epochs} epochs × {LoggedStepsPerEpoch:N0} logged steps per epoch = {metricRows:N0} metric rows, built in {build.Elapsed.TotalSeconds:F1} s");

    var readOnly = Database.OpenReadOnly(dbPath);
    var times = new List<double>();
    ReportResult? result = null;
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        result = new ReportWriter(readOnly).Write("bench", outDir ?? Path.Combine(root, "report"), CancellationToken.None);
        sw.Stop();
        times.Add(sw.Elapsed.TotalSeconds);
        Console.WriteLine($"run {i + 1}: report written in {sw.Elapsed.TotalSeconds:F2} s ({result.Files.Count} files, {result.Files.Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0:F1} MiB)");
    }
    Console.WriteLine($"report time: first {times[0]:F2} s, best {times.Min():F2} s, target < 10 s → {(times[0] < 10 ? "met" : "NOT met")}");
    if (outDir is not null) Console.WriteLine($"report: {result!.ReportPath}");
}
finally
{
    Directory.Delete(root, recursive: true);
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
