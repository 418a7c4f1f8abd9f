using System.Diagnostics;
using System.Globalization;
using Core.Store;
using TestSupport;

/// <summary>
/// Issue 17 §3's memory figure: <c>orchestrator query</c> streaming a large result to a pipe, its peak
/// resident memory (GNU time's "Maximum resident set size") and rows per second (rows over the
/// command's wall time, start-up included), beside the same command returning a tenth of the rows and one row (the floor): flat memory is the same peak for all three.
/// PostgreSQL: <c>SELECT n FROM generate_series(1, N) AS n</c>; SQLite: the same series as a
/// recursive CTE. The rows go through <c>wc -l</c>, which checks that every one came out (CSV: the rows and a header); the
/// orchestrator is the Release build (<c>./orchestrator --help</c> builds it).
/// </summary>
internal static class QueryMemory
{
    public static void Print(IReadOnlyList<Backend> engines, long rows, IReadOnlyList<string> formats)
    {
        var dll = Path.Combine(BenchTools.FindRoot(), "src", "Orchestrator", "bin", "Release", "net10.0", "orchestrator.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; run ./orchestrator --help once (it builds the Release orchestrator)");
        Console.WriteLine($"query memory bench: `orchestrator query --format F --timeout 0 SQL | wc -l`; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-10} {"format",-7} {"rows",10} {"peak RSS",10} {"wall",8} {"rows/s",10}");
        foreach (var engine in engines)
        {
            using var store = TestStore.Create(engine, "querybench");
            _ = store.Open(); // the tool's tables, which `query` requires
            foreach (var format in formats)
            {
                foreach (var n in new[] { 1L, rows / 10, rows })
                {
                    var r = Measure(dll, store.Db, store.Dir.Path, format, Sql(engine, n));
                    if (format == "csv" ? r.Lines != n + 1 : r.Lines < n) throw new InvalidOperationException($"{engine} {format}: {r.Lines} lines for {n} rows");
                    Console.WriteLine($"{engine.ToString().ToLowerInvariant(),-10} {format,-7} {n,10} {r.PeakKb / 1024.0,8:0.0}MB {r.Wall.TotalSeconds,7:0.00}s {(n > 1 ? (n / r.Wall.TotalSeconds).ToString("0", CultureInfo.InvariantCulture) : "-"),10}");
                }
            }
        }
    }

    public static string Sql(Backend engine, long rows) => engine == Backend.Postgres
        ? $"SELECT n FROM generate_series(1, {rows}) AS n"
        : $"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {rows}) SELECT n FROM c";

    private sealed record Result(long PeakKb, TimeSpan Wall, long Lines);

    private static Result Measure(string dll, string db, string workDir, string format, string sql)
    {
        var timeFile = Path.Combine(workDir, "time.txt");
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("set -o pipefail; /usr/bin/time -v -o \"$0\" dotnet \"$@\" | wc -l");
        foreach (var a in new[] { timeFile, dll, "query", "--db", db, "--format", format, "--timeout", "0", sql }) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"query exited {p.ExitCode}: {stderr}\n{(File.Exists(timeFile) ? File.ReadAllText(timeFile) : "")}");
        var time = File.ReadAllLines(timeFile);
        var peak = long.Parse(Value(time, "Maximum resident set size (kbytes)"), CultureInfo.InvariantCulture);
        var wall = Value(time, "Elapsed (wall clock) time (h:mm:ss or m:ss)").Split(':');
        var seconds = wall.Reverse().Select((part, i) => double.Parse(part, CultureInfo.InvariantCulture) * Math.Pow(60, i)).Sum();
        return new Result(peak, TimeSpan.FromSeconds(seconds), long.Parse(stdout.Result.Trim(), CultureInfo.InvariantCulture));
    }

    private static string Value(string[] lines, string key) =>
        lines.Select(l => l.Trim()).First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
}
