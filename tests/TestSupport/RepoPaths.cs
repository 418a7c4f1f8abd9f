namespace TestSupport;

/// <summary>Where things are in this repository and its build outputs, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding Orchestrator.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration the tests were built with (bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string OutputOf(string project) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");

    /// <summary>The Runner built by the solution build (src/Runner/bin/...).</summary>
    public static string RunnerDll => Require(Path.Combine(OutputOf("Runner"), "Runner.dll"));

    /// <summary>The orchestrator CLI built by the solution build, with its runner/ copy beside it.</summary>
    public static string OrchestratorDll => Require(Path.Combine(OutputOf("Orchestrator"), "orchestrator.dll"));

    /// <summary>The real Shakespeare corpus: data/ of the repository, else ../shared/data/ beside it; null if neither exists.</summary>
    public static string? Shakespeare
    {
        get
        {
            string[] candidates =
            [
                Path.Combine(Root, "data", "tinyshakespeare.txt"),
                Path.Combine(Root, "..", "shared", "data", "tinyshakespeare.txt"),
                "/work/shared/data/tinyshakespeare.txt",
            ];
            return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
        }
    }

    public const string ShakespeareSha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first (dotnet build Orchestrator.sln -c {Configuration})", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
