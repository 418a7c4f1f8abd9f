namespace Runner.Cli;

/// <summary>The command line itself is wrong (unknown option, missing or malformed value). Exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
