using Core.Config;
using Core.Data;
using TestSupport;

namespace Core.Tests;

/// <summary>Issue 17 §4: a data.path that is a FIFO or a device would be read forever; it is refused before it is opened.</summary>
public sealed class CorpusPathTests : IDisposable
{
    private readonly TempDir _dir = new("corpus-path");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_fifo_or_a_device_is_refused_at_once_naming_the_path()
    {
        var fifo = _dir.File("corpus.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        using var http = new HttpClient();
        foreach (var path in new[] { fifo, "/dev/zero" })
        {
            // Opening a FIFO with no writer would block forever: a timeout turns that hang into a failure.
            var ensure = new CorpusStep(http).EnsureAsync(new DataConfig { Path = path });
            var e = await Assert.ThrowsAsync<CorpusException>(() => ensure.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"data.path {path} is not a regular file (a FIFO, a device such as /dev/zero, or a socket)", e.Message);
        }
    }

    [Fact]
    public void Hashing_a_corpus_stops_when_cancelled()
    {
        var big = _dir.Write("big.txt", new string('a', 3 << 20));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => FileHash.Sha256(big, cancelled.Token));
        Assert.Equal(FileHash.Sha256(big), FileHash.Sha256(big, CancellationToken.None));
    }
}
