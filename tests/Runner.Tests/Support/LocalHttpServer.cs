using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runner.Tests.Support;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (a TcpListener on a port the OS picks) for download tests;
/// the handler gets the 1-based request number and returns status and body. One response per connection.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LocalHttpServer(Func<int, (int Status, byte[] Body)> handler)
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
                using (client)
                {
                    var stream = client.GetStream();
                    await ReadHeadersAsync(stream);
                    var (status, body) = handler(Interlocked.Increment(ref _requests));
                    var head = $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                    await stream.WriteAsync(body);
                    await stream.FlushAsync();
                }
            }
        });
    }

    public string Url { get; }
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A port nothing listens on (for offline tests): bound, then released.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task ReadHeadersAsync(NetworkStream stream)
    {
        var seen = new List<byte>();
        var buffer = new byte[1024];
        while (true)
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) return;
            seen.AddRange(buffer.AsSpan(0, n));
            if (seen.Count >= 4 && Encoding.ASCII.GetString(seen.ToArray()).Contains("\r\n\r\n")) return;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
