using Core.Contract;
using Core.Store;
using Orchestrator.Execution;

namespace Orchestrator.Tests;

/// <summary>
/// A second <see cref="ITrialExecutor"/> beside the real process one: it plays the Runner's part
/// of the process contract from a script. Each attempt runs the script with the attempt's launch,
/// its number (the trial's attempt as the store numbers it, as a Runner sees it) and a <see cref="RunnerPart"/> to emit events and record in the store what a Runner
/// records (complete, fail, release), and returns how the attempt ended.
/// </summary>
internal sealed class ScriptedExecutor(Database db, Func<ScriptedExecutor.RunnerPart, Task<TrialExit>> script) : ITrialExecutor
{
    private int _attempts;

    public ScriptedExecutor(Database db, Func<RunnerPart, TrialExit> script) : this(db, r => Task.FromResult(script(r))) { }

    /// <summary>Attempts started so far, of all trials.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public Task<TrialExit> RunAsync(TrialLaunch launch, Action<RunnerEvent> onEvent, StopSignals stop)
    {
        Interlocked.Increment(ref _attempts);
        var trials = new TrialRepository(db);
        return script(new RunnerPart(launch, trials.Get(launch.TrialId)!.Attempt, onEvent, stop, trials));
    }

    /// <summary>What a Runner has at hand during one attempt.</summary>
    internal sealed record RunnerPart(TrialLaunch Launch, int Attempt, Action<RunnerEvent> Emit, StopSignals Stop, TrialRepository Trials)
    {
        public string TrialId => Launch.TrialId;

        /// <summary>Trains to the end and records it: exit 0.</summary>
        public TrialExit Completes()
        {
            Emit(new StartEvent(TrialId, "cpu", 1, 10, 0));
            Emit(new DoneEvent());
            Assert.True(Trials.Complete(TrialId, Launch.Owner));
            return Exit(RunnerExitCode.Done);
        }

        /// <summary>
        /// Reports a failure of <paramref name="kind"/> and exits with its code, recording it first if
        /// a Runner with an owner does (<see cref="TrainCommandLine.RunnerRecordsFailure"/>: bad input, divergence).
        /// </summary>
        public TrialExit Fails(string kind, string message, params string[] stderr)
        {
            var failure = new FailureEvent(kind, message);
            Emit(failure);
            var code = RunnerExitCode.For(kind);
            if (TrainCommandLine.RunnerRecordsFailure(kind, standalone: false))
                Assert.True(Trials.Fail(TrialId, Launch.Owner, new AttemptEnd(code, message, kind)));
            return new TrialExit(code, stderr, StopRequested: false, failure);
        }

        public TrialExit Exit(int code, params string[] stderr) => new(code, stderr, StopRequested: false);
    }
}
