using Core;
using Core.Data;
using Core.Spec;
using Core.Store;
using Runner;
using Runner.Cli;

// The Runner: one trial's process. Commands: train, sample. Exit codes: Core.ExitCodes.
const string usage = $"""
    usage:
    {TrainCommand.Usage}
    {SampleCommand.Usage}
    exit codes: 0 done, 1 crashed, 2 bad input, 3 diverged, 4 interrupted (checkpoint written, trial pending), 5 lease lost
    """;

try
{
    return args switch
    {
        ["train", .. var rest] => await TrainCommand.RunAsync(rest),
        ["sample", .. var rest] => SampleCommand.Run(rest),
        ["help" or "--help" or "-h"] => Help(),
        _ => Fail("runner: say what to do: train or sample\n" + usage),
    };
}
catch (Exception e) when (e is UsageException or BadInputException or SpecException or CorpusException or StoreException)
{
    return Fail($"runner: error: {e.Message}" + (e is UsageException ? "\n" + usage : ""));
}
catch (Exception e)
{
    Console.Error.WriteLine($"runner: crashed: {e}");
    return ExitCodes.Crashed;
}

static int Help()
{
    Console.Out.WriteLine(usage);
    return ExitCodes.Done;
}

int Fail(string message)
{
    Console.Error.WriteLine(message);
    return ExitCodes.BadInput;
}
