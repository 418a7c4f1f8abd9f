using Core.Store;
using Microsoft.Data.Sqlite;
using Reporting.Comparison;
using TestSupport;

namespace Reporting.Tests.Support;

/// <summary>
/// Two sweeps of real trials in one database, compared: a copy of <see cref="RealSweep"/>'s database (so the
/// tests of that sweep keep theirs as it was) plus a second real sweep trained by the Runner at another learning
/// rate on part of the grid and one hidden size of its own — gru/lstm × hidden 16/24 × seq_len 8, lr 0.02.
/// Built on first use, from the shared real sweep.
/// </summary>
public sealed class RealSweepComparison : IDisposable
{
    public const string Other = "tiny-grid-lr";
    public const double OtherLr = 0.02;
    public static readonly (string Cell, int Hidden, int SeqLen)[] OtherGrid = [("gru", 16, 8), ("gru", 24, 8), ("lstm", 16, 8), ("lstm", 24, 8)];

    private readonly TempDir _dir = new("report-compare");
    private readonly Lock _lock = new();
    private ReportResult? _result;

    public string DbPath => _dir.File("results/orchestrator.db");

    /// <summary>The comparison of <see cref="RealSweep.Sweep"/> and <see cref="Other"/>, written once.</summary>
    public ReportResult Result(RealSweep sweep)
    {
        lock (_lock)
        {
            if (_result is not null) return _result;
            Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
            SqliteConnection.ClearAllPools();
            File.Copy(sweep.DbPath, DbPath);
            if (File.Exists(sweep.DbPath + "-wal")) File.Copy(sweep.DbPath + "-wal", DbPath + "-wal");
            RealSweep.Record(_dir, DbPath, sweep.Corpus, Other, OtherGrid, OtherLr);
            Before = DbSnapshot.Of(DbPath);
            _result = new ComparisonWriter(Database.OpenReadOnly(DbPath)).Write(RealSweep.Sweep, Other, null, CancellationToken.None);
            After = DbSnapshot.Of(DbPath);
            return _result;
        }
    }

    public DbSnapshot? Before { get; private set; }
    public DbSnapshot? After { get; private set; }

    public SqliteConnection Connect() => ReadOnlySqlite.Connect(DbPath);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
