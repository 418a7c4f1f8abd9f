using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Core.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Serve;

/// <summary>Where the view listens and what it reads.</summary>
internal sealed record ServeOptions(string Host, int Port, StoreLocation Store, string ResultsFolder)
{
    public const int DefaultPort = 8765;
    public const string DefaultHost = "127.0.0.1";
}

/// <summary>
/// The live web view (<c>orchestrator serve</c>, <c>run --serve</c>): Kestrel and minimal APIs over
/// the store, read-only. Pages are shells filled by app.js from the JSON endpoints, which it polls
/// for what changed. Bound to loopback unless told otherwise; any other address needs the
/// <see cref="AccessToken"/> printed in <see cref="Url"/>.
/// </summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServeHost(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The URL to open, with the token when one is needed.</summary>
    public string Url { get; }

    /// <summary>
    /// Starts serving; returns once the port is bound. Throws <see cref="ServeException"/> for an
    /// address that cannot be used or a port in use.
    /// </summary>
    public static async Task<ServeHost> StartAsync(ServeOptions options, CancellationToken ct)
    {
        var address = Address(options.Host);
        var token = AccessToken.For(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(ServeHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders(); // the CLI prints; nothing else may (no request lines, no connection strings)
        // Signals are the command's: `serve` stops on Ctrl+C, `run --serve` stops its trials first (the host's console lifetime would take SIGINT).
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.WebHost.UseKestrel(k => k.Listen(address, options.Port));
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            await next(context);
        });
        if (token is not null) app.Use(token.Check);
        ServeRoutes.Map(app, new StoreGate(options.Store, options.ResultsFolder));
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            await app.DisposeAsync();
            throw new ServeException($"port {options.Port} on {options.Host} is in use (another `orchestrator serve`?); pick another with --port, e.g. --port {options.Port + 1}", e);
        }
        catch (SocketException e)
        {
            await app.DisposeAsync();
            throw new ServeException($"cannot listen on {options.Host} port {options.Port}: {e.Message}; give an address of this machine with --host (default {ServeOptions.DefaultHost})", e);
        }
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var shownHost = IPAddress.IsLoopback(address) ? options.Host : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : options.Host;
        if (shownHost.Contains(':', StringComparison.Ordinal)) shownHost = $"[{shownHost}]";
        var url = $"http://{shownHost}:{port}/" + (token is null ? "" : $"?{AccessToken.QueryName}={token.Value}");
        return new ServeHost(app, url);
    }

    /// <summary>Serves until <paramref name="ct"/> is cancelled (Ctrl+C).</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A host lifetime that leaves SIGINT and SIGTERM to the command.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>How long stopping waits for requests in flight: a read-only view has nothing to finish, so Ctrl+C never waits the host's default 30 s.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(StopGrace))
            await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private static IPAddress Address(string host)
    {
        if (host == "localhost") return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var address)) return address;
        throw new ServeException($"--host {host} is not an IP address; give one of this machine's, e.g. 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface, with a token)");
    }

    /// <summary>The JSON of an error the page shows: a store that cannot be read now (gone, unreachable) is 503, the server stays up.</summary>
    internal static IResult Problem(Exception e) => Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>Whether <paramref name="e"/> is the store failing to answer (shown in the page), not a bug.</summary>
    internal static bool IsStoreProblem(Exception e) => e is StoreException or DbException or IOException;
}
