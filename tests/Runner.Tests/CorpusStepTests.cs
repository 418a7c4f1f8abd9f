using System.Security.Cryptography;
using System.Text;
using Core.Config;
using Core.Data;
using Runner.Tests.Support;
using TestSupport;

namespace Runner.Tests;

/// <summary>The dataset step against real files and a real local HTTP server.</summary>
public sealed class CorpusStepTests : IDisposable
{
    private static readonly DownloadOptions Fast = new() { MaxRetries = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(20) };
    private readonly TempDir _dir = new("corpus");
    private readonly HttpClient _http = new();
    private readonly List<string> _log = [];

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private Task<CorpusFile> Ensure(DataConfig data) => new CorpusStep(_http, Fast).EnsureAsync(data, _log.Add);

    [Fact]
    public async Task A_file_whose_sha256_matches_is_used_as_it_is_without_downloading()
    {
        var path = _dir.Write("c.txt", "some text");
        using var server = new LocalHttpServer(_ => (500, []));
        var file = await Ensure(new DataConfig { Path = path, Sha256 = Sha("some text").ToUpperInvariant(), Url = server.Url });
        Assert.Equal((path, Sha("some text"), false), (file.Path, file.Sha256, file.Downloaded));
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Without_a_configured_sha256_any_existing_file_is_used_and_relative_paths_resolve_against_the_current_directory()
    {
        _dir.Write("data/c.txt", "text");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _dir.File("data/c.txt"));
        var file = await Ensure(new DataConfig { Path = relative });
        Assert.Equal(_dir.File("data/c.txt"), file.Path);
    }

    [Fact]
    public async Task A_missing_file_is_downloaded_through_transient_failures_verified_and_moved_into_place()
    {
        const string text = "JULIET:\nO Romeo.\n";
        using var server = new LocalHttpServer(n => n <= 2 ? (503, []) : (200, Encoding.UTF8.GetBytes(text)));
        var path = _dir.File("data/sub/c.txt");

        var file = await Ensure(new DataConfig { Path = path, Url = server.Url + "c.txt", Sha256 = Sha(text) });

        Assert.Equal((path, true), (file.Path, file.Downloaded));
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal(3, server.Requests);
        Assert.Equal(2, _log.Count(l => l.Contains("503") && l.Contains("retrying")));
        Assert.Equal(["c.txt"], Directory.GetFiles(_dir.File("data/sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_with_the_wrong_sha256_is_replaced_by_the_download()
    {
        const string good = "the right corpus";
        var path = _dir.Write("c.txt", "a stale corpus");
        using var server = new LocalHttpServer(_ => (200, Encoding.UTF8.GetBytes(good)));
        var file = await Ensure(new DataConfig { Path = path, Url = server.Url, Sha256 = Sha(good) });
        Assert.True(file.Downloaded);
        Assert.Equal(good, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_download_with_the_wrong_sha256_is_refused_and_leaves_no_file()
    {
        using var server = new LocalHttpServer(_ => (200, Encoding.UTF8.GetBytes("not it")));
        var path = _dir.File("c.txt");
        var expected = Sha("the real thing");
        var e = await Assert.ThrowsAsync<CorpusException>(() => Ensure(new DataConfig { Path = path, Url = server.Url, Sha256 = expected }));
        Assert.Contains($"the file downloaded from {server.Url} has sha256 {Sha("not it")}, but data.sha256 is {expected}", e.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task Offline_the_error_says_where_to_put_the_file_and_its_sha256_after_the_retries()
    {
        var url = $"http://127.0.0.1:{LocalHttpServer.FreePort()}/input.txt"; // nothing listens there
        var path = _dir.File("data/tinyshakespeare.txt");
        var sha = new string('b', 64);

        var e = await Assert.ThrowsAsync<CorpusException>(() => Ensure(new DataConfig { Path = path, Url = url, Sha256 = sha }));

        Assert.Contains($"could not download the corpus from {url}", e.Message);
        Assert.Contains($"Put the corpus file at {path} (expected sha256 {sha}) and run again", e.Message);
        Assert.Equal(Fast.MaxRetries, _log.Count(l => l.Contains("retrying")));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_missing_page_is_not_retried()
    {
        using var server = new LocalHttpServer(_ => (404, []));
        var e = await Assert.ThrowsAsync<CorpusException>(() => Ensure(new DataConfig { Path = _dir.File("c.txt"), Url = server.Url }));
        Assert.Contains("404", e.Message);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Without_a_url_a_missing_or_mismatched_file_is_an_error_naming_path_and_sha256()
    {
        var path = _dir.File("c.txt");
        var sha = Sha("x");
        var missing = await Assert.ThrowsAsync<CorpusException>(() => Ensure(new DataConfig { Path = path, Sha256 = sha }));
        Assert.Equal($"the corpus {path} does not exist. Put the corpus file at {path} (expected sha256 {sha}), or set data.url so it can be downloaded", missing.Message);

        File.WriteAllText(path, "y");
        var mismatch = await Assert.ThrowsAsync<CorpusException>(() => Ensure(new DataConfig { Path = path, Sha256 = sha }));
        Assert.StartsWith($"the corpus {path} has sha256 {Sha("y")}, but data.sha256 is {sha}", mismatch.Message);
        Assert.Equal("y", File.ReadAllText(path));
    }
}
