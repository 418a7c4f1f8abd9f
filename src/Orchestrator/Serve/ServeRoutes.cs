using Core.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orchestrator.Serve;

/// <summary>
/// The view's URLs. Pages: <c>/</c>, <c>/sweep/NAME</c>, <c>/trial/ID</c>, <c>/compare?trials=A,B</c>.
/// JSON: <c>/api/sweeps</c>, <c>/api/sweeps/NAME</c>, <c>/api/trials/ID</c>, <c>/api/curves?c=TRIAL:METRIC:AFTER</c>.
/// Report files: <c>/reports/NAME/FILE</c>. Assets: <c>/static/…</c>.
/// </summary>
internal static class ServeRoutes
{
    /// <summary>At most this many curves in one request: a page overlays a few dozen trials, not thousands.</summary>
    public const int MaxCurves = 300;

    public static void Map(IEndpointRouteBuilder app, StoreGate store)
    {
        var cache = new ShortCache(TimeSpan.FromMilliseconds(500));

        app.MapGet("/", () => Html(Pages.Html("home", "sweeps")));
        app.MapGet("/sweep/{name}", (string name) => Html(Pages.Html("sweep", $"sweep {name}", name)));
        app.MapGet("/trial/{id}", (string id) => Html(Pages.Html("trial", $"trial {id}", id)));
        app.MapGet("/compare", () => Html(Pages.Html("compare", "compare trials")));

        // The store is opened (for SQLite: checked to be there) on every request, before the cache, so a
        // database that disappears is an error at once, not half a second later.
        app.MapGet("/api/sweeps", () => Guarded(() =>
        {
            var db = store.Open();
            return Results.Json(cache.Get("home", () => new SweepViews(db, store.ResultsFolder).Home()));
        }));
        app.MapGet("/api/sweeps/{name}", (string name) => Guarded(() =>
        {
            try
            {
                var db = store.Open();
                return Results.Json(cache.Get("sweep:" + name, () => new SweepViews(db, store.ResultsFolder).Sweep(name)));
            }
            catch (SweepNotFoundException e)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status404NotFound);
            }
        }));
        app.MapGet("/api/trials/{id}", (string id) => Guarded(() =>
            new TrialViews(store.Open()).Trial(id) is { } page
                ? Results.Json(page)
                : Results.Json(new { error = $"no trial {id} in {store.Location.Display}" }, statusCode: StatusCodes.Status404NotFound)));
        app.MapGet("/api/curves", (HttpRequest request) => Guarded(() =>
        {
            var texts = request.Query["c"].Select(c => c ?? "").ToList();
            var asked = texts.Select(CurveRequest.Parse).ToList();
            if (asked.FindIndex(a => a is null) is var bad and >= 0)
                return Results.Json(new { error = $"c={texts[bad]}: give TRIAL:METRIC:AFTER, e.g. c=3f2a9c1b7d4e:val_loss:-1" }, statusCode: StatusCodes.Status400BadRequest);
            if (asked.Count > MaxCurves)
                return Results.Json(new { error = $"{asked.Count} curves asked at once; at most {MaxCurves}" }, statusCode: StatusCodes.Status400BadRequest);
            var reader = new SeriesReader(store.Open());
            return Results.Json(new { curves = asked.Select(a => Curve.Read(reader, a!)).ToList() });
        }));

        app.MapGet("/reports/{sweep}/{**file}", (string sweep, string file) => ReportFile(store.ResultsFolder, sweep, file));
        app.MapGet("/static/{**path}", (string path) =>
            StaticAssets.Find(path) is { } asset ? Results.Bytes(asset.Bytes, asset.ContentType) : Results.NotFound());
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static IResult Guarded(Func<IResult> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (ServeHost.IsStoreProblem(e))
        {
            return ServeHost.Problem(e);
        }
    }

    /// <summary>A file of the sweep's report (results/&lt;sweep&gt;/), never one outside it; sandboxed, so an SVG's script cannot run.</summary>
    private static IResult ReportFile(string resultsFolder, string sweep, string file)
    {
        if (SweepViews.ReportFolder(resultsFolder, sweep) is not { } folder) return Results.NotFound();
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, file));
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path)) return Results.NotFound();
        var type = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".svg" => "image/svg+xml",
            ".pdf" => "application/pdf",
            _ => "text/plain; charset=utf-8",
        };
        return new SandboxedFile(path, type);
    }

    private sealed class SandboxedFile(string path, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
            return Results.File(path, contentType).ExecuteAsync(context);
        }
    }
}
