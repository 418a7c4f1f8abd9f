using Core.Contract;
using Runner;
using Runner.Cli;
using Runner.Runtime;

// The Runner: one trial's process. Commands: train, sample, check. Its process contract (progress events,
// exit codes, leases) is Core.Contract, described in docs/contract.md.
const string usage = $"""
    usage:
    {TrainCommandLine.Usage}
    {SampleCommand.Usage}
    {CheckCommand.Usage}
    environment: {RunnerEnvironment.LibtorchDir}=FOLDER loads libtorch from FOLDER (e.g. PyTorch's torch/lib) instead of the bundled one
    exit codes: 0 done, 1 crashed, 2 bad input, 3 diverged, 4 interrupted (checkpoint written, trial pending), 5 lease lost, 6 out of memory
    """;

var observer = new ConsoleObserver();
try
{
    // Before anything touches TorchSharp: which libtorch it binds to is decided once, here.
    if (args is ["train" or "sample" or "check", ..]) LibtorchLoader.UseFromEnvironment();
    return args switch
    {
        ["train", .. var rest] => await TrainCommand.RunAsync(rest, observer),
        ["sample", .. var rest] => SampleCommand.Run(rest),
        ["check", .. var rest] => CheckCommand.Run(rest),
        ["help" or "--help" or "-h"] => Help(),
        _ => throw new UsageException("say what to do: train, sample or check"),
    };
}
catch (Exception e)
{
    // Every failure ends here: `train` reports it as an event to the orchestrator too; the exit code follows from its kind.
    var failure = RunnerFailure.Of(e);
    if (args is ["train" or "check", ..]) observer.OnEvent(failure);
    Console.Error.WriteLine(failure.Kind switch
    {
        FailureKind.BadInput or FailureKind.Diverged => $"runner: error: {failure.Message}" + (e is UsageException ? "\n" + usage : ""),
        _ => $"runner: {failure.Kind}: {e}",
    });
    return RunnerExitCode.For(failure.Kind);
}

static int Help()
{
    Console.Out.WriteLine(usage);
    return RunnerExitCode.Done;
}
