using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Core.Store;
using Microsoft.Data.Sqlite;
using TestSupport;

namespace Orchestrator.Tests.Serve;

/// <summary>
/// <c>orchestrator serve</c> as a user starts it, read over HTTP as a page reads it: the sweeps, a
/// sweep's trials, a trial, thinned and incremental curves, the vendored chart library; and the bad
/// input and security cases (missing database, no sweeps, port in use, token, a database that
/// disappears, a read-only results folder).
/// </summary>
public sealed class ServeTests : IDisposable
{
    private readonly TempDir _dir = new("serve");
    private readonly string _db;
    private readonly ServedSweep.Recorded _sweep;

    public ServeTests()
    {
        _db = _dir.File("results/orchestrator.db");
        _sweep = ServedSweep.Write(Database.Open(_db), _dir, "served");
        SqliteConnection.ClearAllPools();
    }

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, $"{r.StatusCode}: {r.Body()}");
        return JsonDocument.Parse(r.Body()).RootElement;
    }

    private static HttpResponseMessage Get(HttpClient client, Uri url) => client.GetAsync(url).Result;

    private static HttpResponseMessage Get(Uri url)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        return client.GetAsync(url).Result;
    }

    [Fact]
    public void Serve_prints_one_url_and_answers_with_the_sweeps_their_trials_and_thinned_incremental_curves()
    {
        using var serve = ServeProcess.Start(_dir.Path, "serve", "--port", "0");
        Assert.Matches(@"^serving \S+orchestrator\.db at http://127\.0\.0\.1:\d+/ \(Ctrl\+C to stop\)$", serve.Process.StdOut.Trim());

        var home = Json(Get(new Uri(serve.Base, "api/sweeps"))).EnumerateArray().Single();
        Assert.Equal(("served", 4, 1, 1, 2), (home.GetProperty("name").GetString(), home.GetProperty("total").GetInt32(), home.GetProperty("completed").GetInt32(),
            home.GetProperty("failed").GetInt32(), home.GetProperty("pending").GetInt32()));
        Assert.Equal(_sweep.Completed, home.GetProperty("best").GetProperty("trial_id").GetString());

        var sweep = Json(Get(new Uri(serve.Base, "api/sweeps/served")));
        var failed = sweep.GetProperty("trials").EnumerateArray().Single(t => t.GetProperty("trial_id").GetString() == _sweep.Failed);
        Assert.Equal(("failed", "crashed", "crashed: the test says so"), (failed.GetProperty("state").GetString(), failed.GetProperty("failure_kind").GetString(), failed.GetProperty("failure").GetString()));
        Assert.Equal(["model.cell", "model.hidden"], sweep.GetProperty("grid_keys").EnumerateArray().Select(k => k.GetString()));

        // Thinned to at most 1,000 points, the extremes kept; then only what came after the last step.
        var all = Json(Get(new Uri(serve.Base, $"api/curves?c={_sweep.Completed}:train_loss:-1&c={_sweep.Completed}:val_loss:-1"))).GetProperty("curves");
        var train = all[0];
        Assert.True(train.GetProperty("thinned").GetBoolean());
        Assert.InRange(train.GetProperty("points").GetArrayLength(), 900, 1000);
        Assert.Equal(_sweep.TrainSteps, train.GetProperty("last").GetInt64());
        Assert.Equal(4.0, train.GetProperty("points")[0][2].GetDouble(), 6);
        Assert.Equal([1, 2], all[1].GetProperty("points").EnumerateArray().Select(p => p[1].GetInt32()));
        var after = Json(Get(new Uri(serve.Base, $"api/curves?c={_sweep.Completed}:train_loss:{_sweep.TrainSteps - 10}"))).GetProperty("curves")[0];
        Assert.Equal(Enumerable.Range(_sweep.TrainSteps - 9, 10).Select(s => (long)s), after.GetProperty("points").EnumerateArray().Select(p => p[0].GetInt64()));
        Assert.False(after.GetProperty("thinned").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, Get(new Uri(serve.Base, "api/curves?c=nonsense")).StatusCode);

        var trial = Json(Get(new Uri(serve.Base, $"api/trials/{_sweep.Completed}")));
        Assert.Equal("JULIET: a sample", trial.GetProperty("samples")[0].GetProperty("text").GetString());
        Assert.Equal("p", trial.GetProperty("checkpoints")[0].GetProperty("probes")[0].GetProperty("predicted").GetString());
        Assert.Equal(HttpStatusCode.NotFound, Get(new Uri(serve.Base, "api/trials/nosuchtrial")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, Get(new Uri(serve.Base, "api/sweeps/nosuchsweep")).StatusCode);

        // Pages are real URLs; the chart library is served from the app, with its licence.
        var page = Get(new Uri(serve.Base, "sweep/served"));
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("data-subject=\"served\"", page.Body());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("uPlot", Get(new Uri(serve.Base, "static/vendor/uplot/uPlot.iife.min.js")).Body());
        Assert.Contains("MIT License", Get(new Uri(serve.Base, "static/vendor/uplot/LICENSE")).Body());
        Assert.False(serve.Process.HasExited);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void Ctrl_C_or_SIGTERM_stops_serving_with_exit_0(string signal)
    {
        using var serve = ServeProcess.Start(_dir.Path, "serve", "--port", "0");
        Assert.Equal(HttpStatusCode.OK, Get(new Uri(serve.Base, "api/sweeps")).StatusCode);
        OrchestratorCli.Signal(serve.Process.Pid, signal);
        Assert.Equal(0, serve.Process.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_database_that_disappears_while_serving_is_an_error_in_the_page_and_the_server_goes_on()
    {
        using var serve = ServeProcess.Start(_dir.Path, "serve", "--port", "0");
        Assert.Equal(HttpStatusCode.OK, Get(new Uri(serve.Base, "api/sweeps/served")).StatusCode);

        File.Move(_db, _db + ".away");
        var gone = Get(new Uri(serve.Base, "api/sweeps/served"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
        Assert.Contains($"no results database at {_db}", gone.Body());
        Assert.Equal(HttpStatusCode.OK, Get(new Uri(serve.Base, "sweep/served")).StatusCode); // the page itself loads, and shows the error

        File.Move(_db + ".away", _db);
        Assert.Equal(HttpStatusCode.OK, Get(new Uri(serve.Base, "api/sweeps/served")).StatusCode);
        Assert.False(serve.Process.HasExited);
    }

    [Fact]
    public void Another_address_than_loopback_needs_the_printed_token_and_gets_401_and_no_data_without_it()
    {
        using var serve = ServeProcess.Start(_dir.Path, "serve", "--port", "0", "--host", "0.0.0.0");
        Assert.Matches(@"\?token=[0-9a-f]{48}$", serve.Url);
        var token = serve.Url[(serve.Url.IndexOf("?token=", StringComparison.Ordinal) + 7)..];
        var port = serve.Base.Port;
        var api = new Uri($"http://127.0.0.1:{port}/api/sweeps");

        foreach (var url in new[] { api, new Uri(api + "?token=" + new string('0', token.Length)), new Uri(api + "?token=x") })
        {
            var refused = Get(url);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.DoesNotContain("served", refused.Body());
        }
        Assert.Equal("served", Json(Get(new Uri(api + "?token=" + token))).EnumerateArray().Single().GetProperty("name").GetString());

        // A browser keeps the token in a cookie after the first page, so links and the page's own requests work.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
        Assert.Equal(HttpStatusCode.OK, Get(browser, new Uri($"http://127.0.0.1:{port}/?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, Get(browser, new Uri($"http://127.0.0.1:{port}/api/sweeps/served")).StatusCode);
    }

    [Fact]
    public void A_missing_database_a_database_without_sweeps_and_a_port_in_use_are_refused_with_exit_2()
    {
        var missing = OrchestratorCli.Run(_dir.Path, "serve", "--port", "0", "--db", _dir.File("nothing/here.db"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains($"error: no results database at {_dir.File("nothing/here.db")}", missing.StdErr);

        var empty = _dir.File("empty/orchestrator.db");
        Directory.CreateDirectory(Path.GetDirectoryName(empty)!);
        Database.Open(empty);
        SqliteConnection.ClearAllPools();
        var none = OrchestratorCli.Run(_dir.Path, "serve", "--port", "0", "--db", empty);
        Assert.True(none.ExitCode == 2, none.ToString());
        Assert.Contains($"error: no sweeps in {empty} yet", none.StdErr);

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var inUse = OrchestratorCli.Run(_dir.Path, "serve", "--port", port);
        Assert.True(inUse.ExitCode == 2, inUse.ToString());
        Assert.Contains($"error: port {port} on 127.0.0.1 is in use", inUse.StdErr);
        Assert.Contains("--port", inUse.StdErr);

        var host = OrchestratorCli.Run(_dir.Path, "serve", "--port", "0", "--host", "example.org");
        Assert.True(host.ExitCode == 2, host.ToString());
        Assert.Contains("--host example.org is not an IP address", host.StdErr);
    }

    [Fact]
    public void Serve_works_on_a_read_only_results_folder()
    {
        var results = _dir.File("results");
        using var serve = ServeProcess.Start(ReadOnlyMount.Wrap(OrchestratorCli.StartInfo(_dir.Path, null, ["serve", "--port", "0"]), results));
        var sweep = Json(Get(new Uri(serve.Base, "api/sweeps/served")));
        Assert.Equal(4, sweep.GetProperty("trials").GetArrayLength());
        Assert.Equal(["orchestrator.db"], Directory.GetFileSystemEntries(results).Select(Path.GetFileName).Where(f => f!.StartsWith("orchestrator", StringComparison.Ordinal)));
    }
}

internal static class HttpBodies
{
    public static string Body(this HttpResponseMessage r) => r.Content.ReadAsStringAsync().Result;
}
