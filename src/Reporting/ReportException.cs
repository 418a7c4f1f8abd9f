namespace Reporting;

/// <summary>A problem the user can act on: an output folder that cannot be written, figure text that cannot be drawn, a trial whose recorded config does not parse.</summary>
public sealed class ReportException(string message) : Exception(message);
