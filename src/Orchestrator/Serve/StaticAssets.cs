
namespace Orchestrator.Serve;

/// <summary>
/// The page's script, style and the vendored chart library (uPlot, see wwwroot/vendor/uplot/VERSION),
/// embedded in the orchestrator's assembly: served from memory, nothing fetched at run time.
/// </summary>
internal static class StaticAssets
{
    private const string Prefix = "serve/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".png"] = "image/png",
    };

    /// <summary>The asset at <paramref name="path"/> (e.g. <c>vendor/uplot/uPlot.iife.min.js</c>) and its content type; null when there is none.</summary>
    public static (byte[] Bytes, string ContentType)? Find(string path)
    {
        var assembly = typeof(StaticAssets).Assembly;
        using var stream = assembly.GetManifestResourceStream(Prefix + path);
        if (stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return (copy.ToArray(), ContentTypes.GetValueOrDefault(Path.GetExtension(path), "text/plain; charset=utf-8"));
    }

    public static IEnumerable<string> All => typeof(StaticAssets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]);
}
