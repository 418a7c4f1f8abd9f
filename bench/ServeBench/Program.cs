using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using TestSupport;

// The live view's benchmark.
// 1. A synthetic SQLite store made through the real schema (Database.Open, the sweep registered as
//    `run` registers it): 1,000 trials × 5 epochs × 2,000 logged steps of train_loss, plus the
//    per-epoch metrics, about 10 M metric rows, inserted in one transaction.
// 2. `orchestrator serve` over it (a child process): first paint of the sweep page in Chromium
//    (until the table holds every trial and the training-loss chart has points), p50/p99 of each
//    endpoint, the server's memory (VmRSS, VmHWM).
// 3. With --load: quick.yaml run twice, without and with `--serve` and 50 clients polling the
//    sweep page's endpoints every second for 60 s; the ratio of the two wall times.
// Usage: dotnet run -c Release --project bench/ServeBench [-- --trials 1000] [--steps 2000] [--keep DIR] [--load]

var trials = int.Parse(Arg("--trials") ?? "1000", CultureInfo.InvariantCulture);
var stepsPerEpoch = int.Parse(Arg("--steps") ?? "2000", CultureInfo.InvariantCulture);
const int Epochs = 5;
using var temp = new TempDir("serve-bench");
var folder = Arg("--keep") ?? temp.Path;
var db = Path.Combine(folder, "results", "orchestrator.db");
Console.WriteLine($"serve bench: {trials} trials × {Epochs} epochs × {stepsPerEpoch} steps; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

if (!File.Exists(db))
{
    var build = Stopwatch.StartNew();
    var rows = Synthetic(folder, db, trials, stepsPerEpoch);
    Console.WriteLine($"synthetic store: {rows:N0} metric rows, {new FileInfo(db).Length / 1e6:0} MB, built in {build.Elapsed.TotalSeconds:0} s");
}

using (var serve = Serve(folder, ["serve", "--port", "0", "--db", db]))
{
    var url = serve.Url;
    using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
    var sweepJson = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(url + "api/sweeps/bench")).RootElement;
    var ids = sweepJson.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("trial_id").GetString()!).ToList();
    var plotted = sweepJson.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("state").GetString() != "pending").Take(6)
        .Select(t => t.GetProperty("trial_id").GetString()!).ToList();

    // First paint in Chromium, cold (the first page) and warm.
    using (var playwright = await Playwright.CreateAsync())
    {
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        for (var i = 0; i < 3; i++)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(url + "sweep/bench");
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('tr[data-trial]').length === {ids.Count} && Number(document.querySelector('[data-chart=train_loss]')?.dataset.points) > 0",
                null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 10 });
            var total = clock.Elapsed.TotalMilliseconds;
            // Where the time went, from the page's own timing: the HTML and scripts, then each answer's arrival.
            var timing = await page.EvaluateAsync<string>("""
                () => {
                  const end = name => Math.round(Math.max(0, ...performance.getEntriesByType("resource").filter(r => r.name.includes(name)).map(r => r.responseEnd)));
                  return `scripts loaded ${Math.round(performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd)} ms, sweep answer ${end("/api/sweeps/")} ms, curves answer ${end("/api/curves")} ms`;
                }
                """);
            Console.WriteLine($"first paint of the sweep page ({ids.Count} rows, {plotted.Count} trials' curves){(i == 0 ? " cold" : " warm")}: {total:0} ms ({timing})");
            await page.CloseAsync();
        }
    }

    string Curves(Func<string, long> after) => "api/curves?" + string.Join('&', plotted.SelectMany(t =>
        new[] { "train_loss", "val_loss", "val_error" }.Select(m => $"c={t}:{m}:{after(m)}")));
    var endpoints = new (string Name, string Path, int Gap)[]
    {
        ("page /sweep/bench (HTML)", "sweep/bench", 0),
        ("/api/sweeps (home)", "api/sweeps", 600),
        ("/api/sweeps/bench (1,000 rows; uncached)", "api/sweeps/bench", 600),
        ("/api/sweeps/bench (cached, 0.5 s)", "api/sweeps/bench", 0),
        ("/api/trials/ID", "api/trials/" + plotted[0], 0),
        ("/api/curves first (6 trials × 3 metrics, 10,000 steps thinned)", Curves(_ => -1), 0),
        ("/api/curves update (6 × 3, after the last step)", Curves(_ => (long)stepsPerEpoch * Epochs), 0),
    };
    Console.WriteLine($"{"endpoint",-66} {"n",4} {"p50",9} {"p99",9}");
    foreach (var (name, path, gap) in endpoints)
    {
        var n = gap > 0 ? 40 : 200;
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            if (gap > 0) await Task.Delay(gap);
            var clock = Stopwatch.StartNew();
            using var r = await http.GetAsync(url + path);
            r.EnsureSuccessStatusCode();
            await r.Content.ReadAsByteArrayAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{name,-66} {n,4} {Pct(times, 50),7:0.0}ms {Pct(times, 99),7:0.0}ms");
    }
    var status = File.ReadAllLines($"/proc/{serve.Pid}/status");
    Console.WriteLine($"server memory: {string.Join(", ", status.Where(l => l.StartsWith("VmRSS", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal)).Select(l => Regex.Replace(l, @"\s+", " ")))}");
}

if (Environment.GetCommandLineArgs().Contains("--load"))
{
    var spec = Path.Combine(RepoPaths.Root, "experiments", "quick.yaml");
    var without = RunQuick(Path.Combine(folder, "quick-alone"), spec, clients: 0);
    var with = RunQuick(Path.Combine(folder, "quick-served"), spec, clients: 50);
    Console.WriteLine($"quick.yaml: {without.TotalSeconds:0.0} s alone, {with.TotalSeconds:0.0} s with --serve and 50 clients polling for 60 s: ratio {with / without:0.000}");
}

return 0;

// quick.yaml from its own results folder, optionally served with `clients` polling its sweep page's endpoints every second for 60 s.
TimeSpan RunQuick(string results, string spec, int clients)
{
    Directory.CreateDirectory(results);
    var args = new List<string> { "run", spec, "--plain", "--results", results };
    if (clients > 0) args.AddRange(["--serve", "0"]);
    var clock = Stopwatch.StartNew();
    using var run = Serve(RepoPaths.Root, args, waitForUrl: clients > 0);
    var errors = 0;
    var requests = 0;
    var kinds = new List<string>(); // each error's HTTP status (503: the run had not created its database yet) or message
    if (clients > 0)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tasks = Enumerable.Range(0, clients).Select(async _ =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var last = new Dictionary<string, long>();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var sweep = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(run.Url + "api/sweeps/quick", stop.Token)).RootElement;
                    var shown = sweep.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("state").GetString() != "pending").Take(6).Select(t => t.GetProperty("trial_id").GetString()!);
                    var asks = shown.SelectMany(t => new[] { "train_loss", "val_loss", "val_error" }.Select(m => $"c={t}:{m}:{last.GetValueOrDefault(t + m, -1)}")).ToList();
                    if (asks.Count > 0)
                    {
                        var curves = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(run.Url + "api/curves?" + string.Join('&', asks), stop.Token)).RootElement;
                        foreach (var c in curves.GetProperty("curves").EnumerateArray())
                            last[c.GetProperty("trial").GetString()! + c.GetProperty("metric").GetString()!] = c.GetProperty("last").GetInt64();
                    }
                    Interlocked.Add(ref requests, 2);
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref errors);
                    lock (kinds) kinds.Add(e.StatusCode is { } code ? ((int)code).ToString(CultureInfo.InvariantCulture) : e.Message);
                }
            }
        }).ToArray();
        Task.WaitAll(tasks);
        Console.WriteLine($"50 clients for 60 s: {requests} requests, {errors} errors{(kinds.Count > 0 ? " (" + string.Join(", ", kinds.GroupBy(k => k).Select(g => $"{g.Count()}× {g.Key}")) + ")" : "")}");
    }
    run.WaitForExit();
    return clock.Elapsed;
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

static ServedProcess Serve(string workDir, IEnumerable<string> args, bool waitForUrl = true) => new(workDir, args, waitForUrl);

string? Arg(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// The synthetic store: the sweep registered through the real write path, then every metric row in one transaction.
long Synthetic(string folder, string db, int trials, int stepsPerEpoch)
{
    Directory.CreateDirectory(Path.GetDirectoryName(db)!);
    var corpus = Path.Combine(folder, "corpus.txt");
    File.WriteAllText(corpus, Corpora.Generate(20_000));
    var hidden = Enumerable.Range(1, 10).Select(i => i * 32).ToList();
    var seq = Enumerable.Range(1, (trials + 19) / 20).Select(i => 10 + i).ToList();
    var yaml = $"""
        name: bench
        data: {"{"} path: {corpus}, seq_len: 16 {"}"}
        model: {"{"} embedding: 8 {"}"}
        train: {"{"} batch_size: 8, epochs: {Epochs} {"}"}
        grid:
          model.cell: [gru, lstm]
          model.hidden: [{string.Join(", ", hidden)}]
          data.seq_len: [{string.Join(", ", seq)}]
        """;
    var specPath = Path.Combine(folder, "bench.yaml");
    File.WriteAllText(specPath, yaml);
    var spec = SpecLoader.Load(specPath);
    var database = Database.Open(db);
    new SweepRepository(database).Register(spec);
    var members = spec.Trials;

    long rows = 0;
    using var c = new SqliteConnection($"Data Source={db}");
    c.Open();
    using (var pragma = c.CreateCommand())
    {
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;";
        pragma.ExecuteNonQuery();
    }
    using var tx = c.BeginTransaction();
    using var insert = c.CreateCommand();
    insert.Transaction = tx;
    insert.CommandText = "INSERT INTO metrics(trial_id, name, step, epoch, value, wall_time) VALUES ($t, $n, $s, $e, $v, $w)";
    var (pt, pn, ps, pe, pv, pw) = (insert.Parameters.Add("$t", SqliteType.Text), insert.Parameters.Add("$n", SqliteType.Text), insert.Parameters.Add("$s", SqliteType.Integer),
        insert.Parameters.Add("$e", SqliteType.Integer), insert.Parameters.Add("$v", SqliteType.Real), insert.Parameters.Add("$w", SqliteType.Real));
    insert.Prepare();
    var random = new Random(7);
    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    void Row(string trial, string name, long step, int? epoch, double value)
    {
        (pt.Value, pn.Value, ps.Value, pe.Value, pv.Value, pw.Value) = (trial, name, step, epoch is null ? DBNull.Value : epoch, value, now);
        insert.ExecuteNonQuery();
        rows++;
    }
    using var state = c.CreateCommand();
    state.Transaction = tx;
    state.CommandText = "UPDATE trials SET state = $state, attempt = 1, epoch = $epoch, step = $step, device = 'cpu', started_at = $at, finished_at = $at WHERE trial_id = $t";
    var (ss, se, sp, sa, st) = (state.Parameters.Add("$state", SqliteType.Text), state.Parameters.Add("$epoch", SqliteType.Integer), state.Parameters.Add("$step", SqliteType.Integer),
        state.Parameters.Add("$at", SqliteType.Text), state.Parameters.Add("$t", SqliteType.Text));
    for (var i = 0; i < members.Count; i++)
    {
        var id = members[i].Id;
        // 85 % completed, 5 % failed (after its last epoch), 5 % running (half way), 5 % pending (no rows).
        var kind = (i % 20) switch { < 17 => "completed", 17 => "failed", 18 => "running", _ => "pending" };
        if (kind == "pending") continue;
        var epochs = kind == "running" ? Epochs / 2 : Epochs;
        var scale = 1 + random.NextDouble();
        for (var e = 1; e <= epochs; e++)
        {
            for (var s = (e - 1) * stepsPerEpoch + 1; s <= e * stepsPerEpoch; s++)
                Row(id, MetricNames.TrainLoss, s, null, scale * 4 / Math.Sqrt(s) + 0.1 * random.NextDouble());
            var at = (long)e * stepsPerEpoch;
            Row(id, MetricNames.EpochTrainLoss, at, e, scale * 4 / Math.Sqrt(at));
            Row(id, MetricNames.TrainError, at, e, 0.8 / Math.Sqrt(e));
            Row(id, MetricNames.ValLoss, at, e, scale * 4.2 / Math.Sqrt(at));
            Row(id, MetricNames.ValError, at, e, 0.82 / Math.Sqrt(e));
            Row(id, MetricNames.CharsPerSec, at, e, 5000 + random.Next(1000));
            Row(id, MetricNames.EpochSeconds, at, e, 60);
        }
        (ss.Value, se.Value, sp.Value, sa.Value, st.Value) = (kind, epochs, (long)epochs * stepsPerEpoch, Timestamps.Now(), id);
        state.ExecuteNonQuery();
    }
    tx.Commit();
    using (var checkpoint = c.CreateCommand())
    {
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        checkpoint.ExecuteNonQuery();
    }
    return rows;
}

/// <summary>An orchestrator child process (serve, or run --serve) and the URL it printed.</summary>
internal sealed class ServedProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _url = new();

    public ServedProcess(string workDir, IEnumerable<string> args, bool waitForUrl)
    {
        var psi = ChildProcess.DotnetStartInfo(RepoPaths.OrchestratorDll, args, workDir);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Regex.Match(line, @"http://\S+") is { Success: true } m) _url.TrySetResult(m.Value);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("  " + line); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (waitForUrl && !_url.Task.Wait(TimeSpan.FromMinutes(3))) throw new TimeoutException("no URL from the orchestrator");
    }

    public string Url => _url.Task.Result;

    public int Pid => _process.Id;

    public void WaitForExit() => _process.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
