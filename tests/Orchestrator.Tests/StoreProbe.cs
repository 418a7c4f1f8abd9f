using Core.Store;
using Dapper;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>Reads what a sweep left in the store (read-only), for assertions.</summary>
/// <param name="db">A SQLite path or a PostgreSQL URL, as <c>--db</c> takes it.</param>
internal sealed class StoreProbe(string db)
{
    public StoreProbe(TestStore store) : this(store.Db) { }

    private Database Db => Database.OpenReadOnly(db);

    /// <summary>The database exists and is migrated (a run creates the file first, then its schema).</summary>
    public bool Ready
    {
        get
        {
            if (!db.Contains("://", StringComparison.Ordinal) && !File.Exists(db)) return false;
            try { _ = Database.OpenReadOnly(db); return true; }
            catch (StoreException) { return false; }
        }
    }

    public IReadOnlyList<TrialRow> Trials(string sweep) => new TrialRepository(Db).ListForSweep(sweep);

    public IReadOnlyList<AttemptRow> Attempts(string trialId) => new TrialRepository(Db).Attempts(trialId);

    public IReadOnlyList<CheckpointRow> Checkpoints(string trialId) => new ResultRepository(Db).Checkpoints(trialId);

    public IReadOnlyList<MetricRow> Metrics(string trialId, string name) => new ResultRepository(Db).Metrics(trialId, name);

    public IReadOnlyList<T> Query<T>(string sql, object? args = null)
    {
        using var c = Db.Connect();
        return c.Query<T>(sql, args).AsList();
    }

    /// <summary>The brief's duplicate check: (trial, name, step) recorded more than once.</summary>
    public int DuplicateMetricKeys() =>
        Query<long>("SELECT COUNT(*) FROM (SELECT trial_id, name, step, COUNT(*) FROM metrics GROUP BY 1,2,3 HAVING COUNT(*) > 1) AS d")[0] is var n ? (int)n : 0;

    /// <summary>A running trial of the sweep that has written at least one checkpoint, if any.</summary>
    public TrialRow? RunningWithCheckpoint(string sweep) =>
        Trials(sweep).FirstOrDefault(t => t.State == TrialStates.Running && Checkpoints(t.TrialId).Count > 0);

    public static double UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}

/// <summary>The real Runner the orchestrator starts: ORCHESTRATOR_RUNNER if set (as the orchestrator honours it), else runner/ beside orchestrator.dll.</summary>
internal static class RealRunner
{
    public static string Dll =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_RUNNER") is { Length: > 0 } o && o.EndsWith(".dll", StringComparison.Ordinal)
            ? Path.GetFullPath(o)
            : Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner", "Runner.dll");
}

/// <summary>Processes by parent (Linux /proc): finds the Runner processes an orchestrator started.</summary>
internal static class ProcessTree
{
    /// <summary>The live Runner processes (of any parent) that train or sample from the database at <paramref name="dbPath"/>.</summary>
    public static IReadOnlyList<int> RunnersOf(string dbPath)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Any(a => a.EndsWith("Runner.dll", StringComparison.Ordinal)) && args.Contains(dbPath)
                    && Core.Contract.ProcessIdentity.Of(pid) is not null) // not a zombie
                    found.Add(pid);
            }
            catch (IOException) { /* the process ended while we looked */ }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static IReadOnlyList<(int Pid, string CommandLine)> Children(int parentPid)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != parentPid) continue;
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                found.Add((pid, cmdline));
            }
            catch (IOException) { /* the process ended while we looked */ }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
