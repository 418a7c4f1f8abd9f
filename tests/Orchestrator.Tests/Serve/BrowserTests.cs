using Core.Spec;
using Core.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using TestSupport;

namespace Orchestrator.Tests.Serve;

/// <summary>
/// The live view in a real browser (Debian's Chromium, headless): a sweep that runs while its page
/// is open, a failure reason and a sample that hold HTML and script, and the same page over PostgreSQL.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "Chromium")]
public sealed class BrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>Waits for what a person would see; on a timeout the page is saved as screenshots/timeout-*.png and the output is shown.</summary>
    private static async Task Until(Func<Task<bool>> condition, string what, IPage? page = null, OrchestratorCli.Background? process = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var shot = page is null ? "" : " (the page: " + await Chromium.ScreenshotAsync(page, "timeout-" + string.Concat(what.Where(char.IsLetterOrDigit))) + ")";
                throw new Xunit.Sdk.XunitException($"timed out waiting for {what}{shot}\n{process?.Output}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<int> Number(IPage page, string selector) =>
        int.TryParse(await page.EvaluateAsync<string?>("s => document.querySelector(s)?.textContent ?? null", selector), out var n) ? n : -1;

    private static async Task<int> Points(IPage page, string metric) =>
        int.TryParse(await page.GetAttributeAsync($"[data-chart={metric}]", "data-points"), out var n) ? n : 0;

    [Fact]
    public async Task While_a_sweep_runs_its_page_shows_completed_trials_growing_curves_and_a_failure_reason_without_a_reload()
    {
        using var dir = new TempDir("serve-live");
        // Four trials one at a time; the second fails for real (its checkpoint folder is a file), the last two keep the run going.
        var spec = TinySweep.Write(dir, "live", ["model.hidden: [16, 24]", "data.seq_len: [16, 24]"], epochs: 3, maxSteps: 30, checkpointEvery: 10, parallel: 1, retries: 0);
        var trials = SpecLoader.Load(spec).Trials;
        var doomed = trials[1].Id;
        dir.Write($"results/checkpoints/{doomed}", "a file where the trial's checkpoint folder belongs");

        using var run = ServeProcess.Start(dir.Path, "run", spec, "--plain", "--serve", "0");
        Assert.StartsWith("serving ", run.Process.StdOut); // the URL comes first
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.OpenAsync(run.Url + "sweep/live");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        await Until(async () => await Points(page, "train_loss") > 0, "the first training-loss points", page, run.Process);
        var firstPoints = await Points(page, "train_loss");
        var firstCompleted = await Number(page, "#count-completed");
        await Until(async () => await Number(page, "#count-completed") > Math.Max(0, firstCompleted), "the completed count to rise", page, run.Process);
        await Until(async () => (await page.Locator($"tr[data-trial='{doomed}'] td.failure").TextContentAsync() ?? "").Contains("IOException", StringComparison.Ordinal),
            "the failed trial's reason", page, run.Process);
        Assert.Equal("failed", await page.GetAttributeAsync($"tr[data-trial='{doomed}']", "data-state"));
        await Until(async () => await Points(page, "train_loss") > firstPoints, "the curve to gain points", page, run.Process);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        await Chromium.ScreenshotAsync(page, "serve-sweep-live");

        // The first trial's own page, while the run goes on: its curves, checkpoints with the probe's predictions, its sample (primed with JULIET).
        var trial = await chromium.OpenAsync(run.Url + "trial/" + trials[0].Id);
        await trial.Locator("pre.sample-text").WaitForAsync();
        Assert.StartsWith("JULIET", await trial.Locator("pre.sample-text").TextContentAsync());
        Assert.Contains("ckpt_3", await trial.Locator("main").TextContentAsync());
        await Until(async () => await Points(trial, "val_loss") == 3, "the trial's three validation losses", trial, run.Process);
        await Chromium.ScreenshotAsync(trial, "serve-trial");

        Assert.Equal(1, run.Process.WaitForExit(Patience)); // a trial failed; the view ends with the run
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Html_and_script_in_a_failure_reason_and_a_sample_show_as_text_and_never_run()
    {
        using var dir = new TempDir("serve-xss");
        const string failure = "<img src=x onerror=\"window.pwned='img'\"><script>window.pwned='script'</script>&amp; done";
        const string sample = "</pre><script>window.pwned='sample'</script><b>JULIET</b>";
        var db = dir.File("results/orchestrator.db");
        var sweep = ServedSweep.Write(Database.Open(db), dir, "xss", failure, sample);
        SqliteConnection.ClearAllPools();
        using var serve = ServeProcess.Start(dir.Path, "serve", "--port", "0");
        await using var chromium = await Chromium.LaunchAsync();

        var page = await chromium.OpenAsync(serve.Url + "sweep/xss");
        var reason = page.Locator($"tr[data-trial='{sweep.Failed}'] td.failure");
        await Until(async () => (await reason.TextContentAsync() ?? "").Contains("window.pwned", StringComparison.Ordinal), "the failure reason", page, serve.Process);
        Assert.Equal("crashed " + failure, await reason.TextContentAsync());
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        await Chromium.ScreenshotAsync(page, "serve-xss-sweep");

        var trial = await chromium.OpenAsync(serve.Url + "trial/" + sweep.Completed);
        var text = trial.Locator("pre.sample-text");
        await text.WaitForAsync();
        Assert.Equal(sample, await text.TextContentAsync());
        Assert.Equal(0, await trial.Locator("main b").Filter(new LocatorFilterOptions { HasText = "JULIET" }).CountAsync());
        var failed = await chromium.OpenAsync(serve.Url + "trial/" + sweep.Failed);
        var shown = failed.Locator(".failure-box .failure");
        await shown.WaitForAsync();
        Assert.Equal(failure, await shown.TextContentAsync());
        await Chromium.ScreenshotAsync(trial, "serve-xss-trial");

        foreach (var p in new[] { page, trial, failed })
            Assert.Null(await p.EvaluateAsync<string?>("() => window.pwned ?? null"));
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task The_home_page_links_to_each_sweep_and_compare_overlays_the_trials_its_url_names()
    {
        using var dir = new TempDir("serve-nav");
        var db = Database.Open(dir.File("results/orchestrator.db"));
        var first = ServedSweep.Write(db, dir, "first");
        var second = ServedSweep.Write(db, dir, "second", trainSteps: 500, hidden: "32, 40");
        SqliteConnection.ClearAllPools();
        using var serve = ServeProcess.Start(dir.Path, "serve", "--port", "0");
        await using var chromium = await Chromium.LaunchAsync();

        var home = await chromium.OpenAsync(serve.Url);
        await home.Locator("tr[data-sweep='second'] a").First.ClickAsync(); // a real link
        await home.WaitForURLAsync(serve.Url + "sweep/second");
        await Until(async () => await home.Locator("tr[data-trial]").CountAsync() == 4, "the second sweep's trials", home, serve.Process);

        var compare = await chromium.OpenAsync($"{serve.Url}compare?trials={first.Completed},{second.Completed}");
        await Until(async () => await Points(compare, "train_loss") == 1000 + 500, "both curves (the first thinned to 1,000 points)", compare, serve.Process);
        await Until(async () => await compare.Locator(".picker input[type=checkbox]").CountAsync() == 8, "the picker's eight trials", compare, serve.Process);
        Assert.Equal(2, await compare.Locator(".picker input[type=checkbox]:checked").CountAsync());
        await compare.Locator(".picker input[type=checkbox]:checked").First.UncheckAsync();
        Assert.Single((await compare.EvaluateAsync<string>("() => new URL(location.href).searchParams.get('trials')")).Split(','));
        await Chromium.ScreenshotAsync(compare, "serve-compare");
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    [Trait("Needs", "PostgreSQL")]
    public async Task The_sweep_page_works_over_PostgreSQL_and_the_password_reaches_no_page_or_output()
    {
        var password = PostgresServer.PasswordFromPassfile()
                       ?? throw new Xunit.Sdk.XunitException($"no password for {PostgresServer.AdminUrl} in ~/.pgpass (or PGPASSFILE) or PGPASSWORD; deploy/postgres/local-server.sh writes one");
        using var store = TestStore.Create(Backend.Postgres, "serve");
        var sweep = ServedSweep.Write(store.Open(), store.Dir, "pgview");
        var withPassword = store.Db.Replace("orchestrator@", $"orchestrator:{Uri.EscapeDataString(password)}@", StringComparison.Ordinal);
        var file = store.Dir.Write("db.url", withPassword + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var env = new Dictionary<string, string> { [StoreLocation.DbFileVariable] = file, ["PGPASSFILE"] = "/dev/null", ["PGPASSWORD"] = "" };

        using var serve = ServeProcess.Start(OrchestratorCli.StartInfo(store.Dir.Path, env, ["serve", "--port", "0"]));
        var url = serve.Url;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.OpenAsync(url + "sweep/pgview");
        await Until(async () => await page.Locator("tr[data-trial]").CountAsync() == 4, "the four trials");
        await Until(async () => (await page.Locator($"tr[data-trial='{sweep.Failed}'] td.failure").TextContentAsync() ?? "").Contains("the test says so", StringComparison.Ordinal), "the failure");
        var html = await page.ContentAsync();
        using var client = new HttpClient();
        var api = await client.GetStringAsync(url + "api/sweeps/pgview") + await client.GetStringAsync(url + "api/trials/" + sweep.Completed) + await client.GetStringAsync(url + "api/sweeps");
        foreach (var (where, text) in new[] { ("the page", html), ("the API", api), ("the output", serve.Process.Output) })
            Assert.False(text.Contains(password, StringComparison.Ordinal), $"the password shows in {where}");
        Assert.Empty(chromium.PageErrors);
    }
}
