using Core.Contract;
using Core.Gpus;

namespace Orchestrator.Execution.Libtorch;

/// <summary>
/// The Runner to start for a libtorch setting, and the environment it needs: the libtorch chosen
/// (<see cref="LibtorchResolver"/>; ORCHESTRATOR_LIBTORCH overrides the setting), the Runner from
/// runner-external-libtorch/ when that libtorch is not the bundled one, and the library path and
/// libtorch folder (<see cref="LibtorchChoice.RunnerEnvironment"/>). Every command that starts a
/// Runner (run, sample, doctor) starts it this way.
/// </summary>
internal sealed record LibtorchRunner(RunnerCommand Runner, LibtorchChoice Libtorch, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Python is given this long to say where PyTorch is (importing torch can be slow on a cold disk).</summary>
    private static readonly TimeSpan PythonTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Chooses for <paramref name="setting"/> (<c>auto</c>, <c>bundled</c> or a folder). Throws
    /// <see cref="RunnerNotFoundException"/> when the Runner is not built, <see cref="RunnerSetupException"/>
    /// (bad input) when the setting cannot be met.
    /// </summary>
    public static LibtorchRunner Choose(string setting)
    {
        var runner = RunnerCommand.Locate();
        var libtorch = new LibtorchResolver(runner.BundledLibtorchFolder, () => PyTorchProbe.Find(PythonTimeout), NvidiaDriver.Present)
            .Resolve(setting);
        if (!libtorch.Bundled) runner = runner.ForExternalLibtorch();
        var environment = libtorch.RunnerEnvironment(System.Environment.GetEnvironmentVariable(RunnerEnvironment.LibraryPath));
        return new LibtorchRunner(runner, libtorch, environment);
    }
}
