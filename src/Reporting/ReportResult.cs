namespace Reporting;

/// <summary>What <see cref="ReportWriter.Write"/> wrote: the sweep it reported on, the folder, report.md and every file (absolute paths, in writing order).</summary>
public sealed record ReportResult(string Sweep, string OutDir, string ReportPath, IReadOnlyList<string> Files);
