using System.Globalization;
using Core.Store;
using Orchestrator.Progress;

namespace Orchestrator.Serve;

/// <summary>A sweep as the home page lists it: counts by state, timing, its best trial, whether it runs.</summary>
internal sealed record SweepSummary(
    string Name, string? SpecPath, int Total, int Completed, int Running, int Pending, int Failed,
    bool Active, double? ElapsedSeconds, double? EtaSeconds, BestOfSweep? Best);

/// <summary>The completed trial with the lowest validation loss so far.</summary>
internal sealed record BestOfSweep(string TrialId, string Label, double ValLoss);

/// <summary>One row of a sweep page's table of trials.</summary>
internal sealed record TrialLine(
    string TrialId, string Label, IReadOnlyDictionary<string, object> Grid, string State, int Attempt,
    int Epoch, int Epochs, long Step, double? BestValLoss, int? BestEpoch, double? CharsPerSec,
    string Where, string? FailureKind, string? Failure);

/// <summary>A sweep page: its summary, grid keys, trials, and the report's files when a report exists.</summary>
internal sealed record SweepPage(SweepSummary Summary, IReadOnlyList<string> GridKeys, IReadOnlyList<TrialLine> Trials, IReadOnlyList<string> ReportFiles);

/// <summary>
/// Builds what the pages show of sweeps from the store's read queries: <see cref="SweepReader"/> (the
/// same one <c>orchestrator status</c> uses) and <see cref="SeriesReader"/>.
/// </summary>
internal sealed class SweepViews(Database db, string resultsFolder)
{
    public IReadOnlyList<SweepSummary> Home() =>
        new SweepReader(db).Read(null).Select(s => Summary(s)).ToList();

    public SweepPage Sweep(string name)
    {
        var s = new SweepReader(db).Read(name).Single();
        var repeats = s.Trials.Any(t => t.Repeat > 0);
        var lines = s.Trials.Select(t => new TrialLine(t.TrialId, TrialLabels.Label(t.GridText, t.Repeat, repeats), t.Grid, t.State, t.Attempt,
            t.Epoch, t.Epochs, t.Step, Finite(t.BestValLoss), t.BestEpoch, t.CharsPerSec, Where(t), t.FailureKind, t.Failure)).ToList();
        var keys = s.Trials.SelectMany(t => t.Grid.Keys).Distinct().ToList();
        return new SweepPage(Summary(s), keys, lines, ReportFiles(s.Sweep));
    }

    private SweepSummary Summary(SweepStatus s)
    {
        var repeats = s.Trials.Any(t => t.Repeat > 0);
        var best = s.Trials.Where(t => t.State == TrialStates.Completed && Finite(t.BestValLoss) is not null)
            .OrderBy(t => t.BestValLoss).ThenBy(t => t.Ordinal)
            .Select(t => new BestOfSweep(t.TrialId, TrialLabels.Label(t.GridText, t.Repeat, repeats), t.BestValLoss!.Value)).FirstOrDefault();
        var (completed, running, pending, failed) = (s.Count(TrialStates.Completed), s.Count(TrialStates.Running), s.Count(TrialStates.Pending), s.Count(TrialStates.Failed));
        var active = running > 0;
        var times = new SeriesReader(db).Times(s.Sweep);
        double? elapsed = null, eta = null;
        if (Parse(times.FirstStarted) is { } first)
        {
            var end = active || pending > 0 ? DateTime.UtcNow : Parse(times.LastFinished) ?? DateTime.UtcNow;
            elapsed = Math.Max(0, (end - first).TotalSeconds);
            var done = completed + failed;
            if (active && done > 0) eta = elapsed / done * (s.Trials.Count - done);
        }
        return new SweepSummary(s.Sweep, s.SpecPath, s.Trials.Count, completed, running, pending, failed, active, elapsed, eta, best);
    }

    /// <summary>What the trial runs (or ran) on: device, GPU, Slurm job.</summary>
    private static string Where(TrialStatus t) =>
        string.Join(" · ", new[] { t.Device, t.GpuName, t.SlurmJob is null ? null : $"slurm {t.SlurmJob}" }.Where(p => !string.IsNullOrEmpty(p)));

    /// <summary>The report's files (report.md first), relative to results/&lt;sweep&gt;/; none when no report was written.</summary>
    private IReadOnlyList<string> ReportFiles(string sweep)
    {
        var folder = ReportFolder(resultsFolder, sweep);
        if (folder is null || !File.Exists(Path.Combine(folder, "report.md"))) return [];
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .OrderBy(f => f == "report.md" ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).Take(200).ToList();
    }

    /// <summary>results/&lt;sweep&gt;/ when the sweep's name is a plain folder name (it always is for a spec's name:), else null.</summary>
    public static string? ReportFolder(string resultsFolder, string sweep) =>
        sweep.Length == 0 || sweep is "." or ".." || sweep.IndexOfAny(['/', '\\', '\0']) >= 0 ? null : Path.Combine(resultsFolder, sweep);

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;

    private static DateTime? Parse(string? stamp) =>
        DateTime.TryParseExact(stamp, Timestamps.Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
