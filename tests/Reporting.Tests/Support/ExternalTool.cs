using System.Diagnostics;
using TestSupport;

namespace Reporting.Tests.Support;

/// <summary>
/// The programs the vector-output tests run (pdflatex, rsvg-convert). A missing one fails the test with a
/// message that says which Debian package has it; ./test installs them.
/// </summary>
public static class ExternalTool
{
    public static string Require(string program, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path)) return path;
        }
        Assert.Fail($"{program} is not installed, so this test cannot check the report's output with it: apt-get install {package} (./test installs it)");
        return "";
    }

    public static ProcessResult Run(string program, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return ChildProcess.Run(psi, TimeSpan.FromMinutes(2));
    }
}
