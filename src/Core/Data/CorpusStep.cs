using System.Net;
using System.Security.Cryptography;
using Core.Config;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Core.Data;

/// <summary>
/// The dataset step: makes sure the corpus of a trial is on disk and is the expected file.
/// Uses the file at <c>data.path</c> when its sha256 matches (or when no sha256 is configured);
/// otherwise downloads it from <c>data.url</c> with retries, verifies the sha256 and moves it into
/// place (temporary file + rename, so a reader never sees half a file). Relative paths resolve
/// against the current directory.
/// </summary>
public sealed class CorpusStep(HttpClient http, DownloadOptions? options = null)
{
    private readonly DownloadOptions _options = options ?? new DownloadOptions();

    /// <summary>Returns the verified corpus, or throws <see cref="CorpusException"/> saying what is wrong and what to do.</summary>
    public async Task<CorpusFile> EnsureAsync(DataConfig data, Action<string>? log = null, CancellationToken ct = default)
    {
        var path = Path.GetFullPath(data.Path);
        var expected = data.Sha256?.ToLowerInvariant();
        string? problem = null;

        if (Directory.Exists(path))
            throw new CorpusException($"data.path {path} is a folder; set data.path to the corpus file itself{FilesIn(path)}");
        // A FIFO or a device (/dev/zero) would be read forever: refused before it is opened.
        if (FileKind.Of(path) == FileKindOf.Special)
            throw new CorpusException($"data.path {path} is {FileKind.Describe(FileKindOf.Special)}; set data.path to a regular file holding the corpus text");

        if (File.Exists(path))
        {
            var actual = FileHash.Sha256(path, ct);
            if (expected is null || actual == expected)
            {
                if (new FileInfo(path).Length == 0) throw new CorpusException($"the corpus {path} is empty; put the training text there");
                return new CorpusFile(path, actual, Downloaded: false);
            }
            problem = $"the corpus {path} has sha256 {actual}, but data.sha256 is {expected}";
        }
        else
        {
            problem = $"the corpus {path} does not exist";
        }

        if (data.Url is null)
            throw new CorpusException($"{problem}. Put the corpus file at {path}{ExpectedHint(expected)}, or set data.url so it can be downloaded");

        log?.Invoke($"{problem}; downloading {data.Url}");
        var sha = await DownloadAsync(data.Url, path, expected, log, ct);
        if (new FileInfo(path).Length == 0) throw new CorpusException($"the corpus downloaded from {data.Url} to {path} is empty");
        return new CorpusFile(path, sha, Downloaded: true);
    }

    private async Task<string> DownloadAsync(string url, string path, string? expected, Action<string>? log, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.download-{Guid.NewGuid():N}.tmp";
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(IsTransient).Handle<TimeoutRejectedException>().Handle<IOException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = _options.MaxRetries,
                Delay = _options.FirstRetryDelay,
                OnRetry = a =>
                {
                    log?.Invoke($"download attempt {a.AttemptNumber + 1} failed ({a.Outcome.Exception?.Message}); retrying in {a.RetryDelay.TotalSeconds:0.0} s");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
        try
        {
            var sha = await pipeline.ExecuteAsync(async token => await DownloadOnceAsync(url, temp, token), ct);
            if (expected is not null && sha != expected)
                throw new CorpusException($"the file downloaded from {url} has sha256 {sha}, but data.sha256 is {expected}; " +
                                          $"check data.url and data.sha256, or put the right file at {path}");
            File.Move(temp, path, overwrite: true);
            return sha;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException)
        {
            throw new CorpusException($"could not download the corpus from {url} ({e.Message}). " +
                                      $"Put the corpus file at {path}{ExpectedHint(expected)} and run again");
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private async Task<string> DownloadOnceAsync(string url, string temp, CancellationToken ct)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Connection failures, timeouts and 5xx/408/429 may pass; a 404 will not.</summary>
    private static bool IsTransient(HttpRequestException e) =>
        e.StatusCode is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>", e.g. DIR/a.txt or DIR/b.txt" for up to three files in the folder (text files first); "" if it has none.</summary>
    internal static string FilesIn(string folder) =>
        FolderExamples.Of(folder, first: f => f.EndsWith(".txt", StringComparison.Ordinal), none: " (this one has no files)");

    private static string ExpectedHint(string? expected) => expected is null ? "" : $" (expected sha256 {expected})";
}
