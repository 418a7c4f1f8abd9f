using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Serve;

/// <summary><c>orchestrator serve</c> (or <c>run --serve</c>) as a real child process, and the URL it printed.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private ServeProcess(OrchestratorCli.Background process, string url)
    {
        Process = process;
        Url = url;
    }

    public OrchestratorCli.Background Process { get; }

    /// <summary>The URL it printed, e.g. <c>http://127.0.0.1:41234/</c> (with <c>?token=…</c> when it needs one).</summary>
    public string Url { get; }

    public Uri Base => new(new Uri(Url).GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>Starts it with <paramref name="args"/> and waits for the line with its URL.</summary>
    public static ServeProcess Start(string workDir, params string[] args) => Start(OrchestratorCli.StartInfo(workDir, null, args));

    /// <summary>Starts <paramref name="psi"/> (an orchestrator command, as <see cref="OrchestratorCli.StartInfo"/> makes it) and waits for the line with its URL.</summary>
    public static ServeProcess Start(System.Diagnostics.ProcessStartInfo psi)
    {
        var process = new OrchestratorCli.Background(psi);
        string? url = null;
        process.WaitUntil(() => (url = UrlPattern().Match(process.StdOut) is { Success: true } m ? m.Value : null) is not null, TimeSpan.FromMinutes(2), "the URL");
        return new ServeProcess(process, url!);
    }

    [GeneratedRegex(@"http://\S+")]
    private static partial Regex UrlPattern();

    public void Dispose() => Process.Dispose();
}
