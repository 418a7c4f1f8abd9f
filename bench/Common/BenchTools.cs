using System.Diagnostics;

/// <summary>What the benchmarks that drive the orchestrator's CLI share: the repository's root, and running a program to its end.</summary>
internal static class BenchTools
{
    /// <summary>The repository's root (the folder holding Orchestrator.sln), found from the benchmark's own output folder.</summary>
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("run the benchmark from inside the repository");
    }

    /// <summary>The corpus the benchmarks train on: data/tinyshakespeare.txt under the repository, else the shared copy beside it.</summary>
    public static string FindCorpus(string root) =>
        new[] { Path.Combine(root, "data", "tinyshakespeare.txt"), Path.Combine(root, "..", "shared", "data", "tinyshakespeare.txt"), "/work/shared/data/tinyshakespeare.txt" }
            .Select(Path.GetFullPath).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("the benchmark trains on data/tinyshakespeare.txt; put the corpus there (see the README)");

    /// <summary>Runs <paramref name="program"/> in <paramref name="workDir"/>, its standard output read and kept out of the benchmark's; a non-zero exit throws, with that output.</summary>
    public static void Run(string program, IReadOnlyList<string> arguments, string workDir) => Output(program, arguments, workDir);

    /// <summary><see cref="Run"/>, returning the program's standard output.</summary>
    public static string Output(string program, IReadOnlyList<string> arguments, string workDir)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workDir, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {p.ExitCode}\n{output}");
        return output;
    }
}
