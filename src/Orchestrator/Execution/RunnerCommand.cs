using System.Diagnostics;
using Core.Libtorch;

namespace Orchestrator.Execution;

/// <summary>
/// How to start the Runner: <c>dotnet runner/Runner.dll</c> beside orchestrator.dll, or whatever
/// the <c>ORCHESTRATOR_RUNNER</c> environment variable names (a .dll is run with dotnet, anything
/// else is executed directly).
/// </summary>
internal sealed record RunnerCommand(string Program, string? Dll)
{
    public const string EnvironmentVariable = "ORCHESTRATOR_RUNNER";

    /// <summary>The Runner to use, checked to exist. Throws <see cref="RunnerNotFoundException"/> with what to do otherwise.</summary>
    public static RunnerCommand Locate()
    {
        var overridePath = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            var full = Path.GetFullPath(overridePath);
            if (!File.Exists(full))
                throw new RunnerNotFoundException($"{EnvironmentVariable}={overridePath}, but {full} does not exist");
            return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new RunnerCommand("dotnet", full) : new RunnerCommand(full, null);
        }
        var dll = Path.Combine(AppContext.BaseDirectory, "runner", "Runner.dll");
        if (!File.Exists(dll))
            throw new RunnerNotFoundException($"the Runner is not built: {dll} is missing (rebuild with `dotnet build src/Orchestrator`, or set {EnvironmentVariable} to a Runner.dll)");
        return new RunnerCommand("dotnet", dll);
    }

    /// <summary>The folder the build copies the Runner without its libtorch into (beside runner/), for Runners that load another libtorch.</summary>
    public const string ExternalLibtorchFolder = "runner-external-libtorch";

    /// <summary>Where this Runner's bundled libtorch would be (APP/runtimes/linux-x64/native); null when the Runner is not a .dll.</summary>
    public string? BundledLibtorchFolder => Dll is null ? null : LibtorchFolder.NativesOf(Path.GetDirectoryName(Dll)!);

    /// <summary>
    /// The same Runner without a libtorch of its own, to load another one (TorchSharp would load a
    /// bundled libtorch_cpu.so beside it): runner-external-libtorch/ beside runner/. A Runner named by
    /// ORCHESTRATOR_RUNNER, or a build without that folder, stays as it is (the Runner then refuses a
    /// libtorch that is not the one it carries, saying so).
    /// </summary>
    public RunnerCommand ForExternalLibtorch()
    {
        if (Dll is null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable))) return this;
        var dll = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Dll)!)!, ExternalLibtorchFolder, Path.GetFileName(Dll));
        return File.Exists(dll) ? this with { Dll = dll } : this;
    }

    /// <summary>A start info for <c>runner ARGS</c>, with the working directory of the orchestrator.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> args, bool redirect)
    {
        var psi = new ProcessStartInfo(Program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
            RedirectStandardInput = redirect,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        if (Dll is not null) psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    public override string ToString() => Dll is null ? Program : $"{Program} {Dll}";
}

internal sealed class RunnerNotFoundException(string message) : Exception(message);
