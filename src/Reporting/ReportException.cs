namespace Reporting;

/// <summary>A problem the user can act on: an unknown sweep, an empty database, an output folder that cannot be written, figure text that cannot be drawn.</summary>
public sealed class ReportException(string message) : Exception(message);
