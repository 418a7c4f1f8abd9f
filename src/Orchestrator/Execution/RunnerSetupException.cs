namespace Orchestrator.Execution;

/// <summary>Runners cannot be started as the execution settings ask (a libtorch that is not there or does not load, MPS without its daemon): bad input, naming the setting and the fix.</summary>
internal sealed class RunnerSetupException(string message) : Exception(message);
