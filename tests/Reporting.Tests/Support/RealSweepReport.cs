using Core.Store;

namespace Reporting.Tests.Support;

/// <summary>
/// The real sweep, reported twice into two folders through a read-only database, with snapshots of the
/// database before and after. Shared by the tests of <see cref="RealSweepReportTests"/>.
/// </summary>
public sealed class RealSweepReport : IDisposable
{
    public RealSweepReport()
    {
        Sweep = new RealSweep();
        Before = DbSnapshot.Of(Sweep.DbPath);
        var db = Database.OpenReadOnly(Sweep.DbPath);
        First = new ReportWriter(db).Write(RealSweep.Sweep, Sweep.NewOutDir(), CancellationToken.None);
        Second = new ReportWriter(db).Write(null, Sweep.NewOutDir(), CancellationToken.None);
        After = DbSnapshot.Of(Sweep.DbPath);
        Markdown = File.ReadAllText(First.ReportPath);
    }

    public RealSweep Sweep { get; }
    public DbSnapshot Before { get; }
    public DbSnapshot After { get; }
    public ReportResult First { get; }
    public ReportResult Second { get; }
    public string Markdown { get; }

    public void Dispose() => Sweep.Dispose();
}
