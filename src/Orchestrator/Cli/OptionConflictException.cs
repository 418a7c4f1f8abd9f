namespace Orchestrator.Cli;

/// <summary>Options that cannot go together with what the spec says (e.g. --detach for a local run): bad input.</summary>
internal sealed class OptionConflictException(string message) : Exception(message);
