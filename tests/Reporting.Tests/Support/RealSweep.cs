using System.Globalization;
using Core.Store;
using Microsoft.Data.Sqlite;
using TestSupport;

namespace Reporting.Tests.Support;

/// <summary>
/// A database made by REAL tiny trials: a 2 cells × 2 hidden × 2 seq_len grid, each trained for
/// 2 epochs of a few steps by the Runner as a child process (`runner train --config … --db …`), then
/// registered as one sweep with <see cref="SweepRepository.Register"/>. Built once per test run.
/// </summary>
public sealed class RealSweep : IDisposable
{
    public const string Sweep = "tiny-grid";
    public const double Lr = 0.01;
    public static readonly string[] Cells = ["gru", "lstm"];
    public static readonly int[] Hidden = [16, 32];
    public static readonly int[] SeqLens = [8, 16];
    public const int Epochs = 2;

    private readonly TempDir _dir = new("report-real");

    public RealSweep()
    {
        Corpus = _dir.Write("corpus.txt", Corpora.Generate(12_000));
        DbPath = _dir.File("results/orchestrator.db");
        var grid = (from c in Cells from h in Hidden from s in SeqLens select (Cell: c, Hidden: h, SeqLen: s)).ToList();
        TrialIds = Record(_dir, DbPath, Corpus, Sweep, grid, Lr);
    }

    public string DbPath { get; }
    public string Folder => _dir.Path;
    /// <summary>The training text every trial read.</summary>
    public string Corpus { get; }
    /// <summary>The sweep's trials in grid order (cell, hidden, seq_len nested).</summary>
    public IReadOnlyList<string> TrialIds { get; }

    /// <summary>A fresh temporary folder for one test's output.</summary>
    public string NewOutDir() => _dir.File($"out-{Guid.NewGuid():N}");

    /// <summary>
    /// Trains one trial per grid point with the Runner (two at a time, one thread each) into <paramref name="dbPath"/>,
    /// then registers them, in grid order, as <paramref name="sweep"/>; returns their ids in that order.
    /// </summary>
    public static IReadOnlyList<string> Record(TempDir dir, string dbPath, string corpus, string sweep,
        IReadOnlyList<(string Cell, int Hidden, int SeqLen)> grid, double lr)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(dbPath)!);
        var failures = new List<string>();
        Parallel.ForEach(grid, new ParallelOptions { MaxDegreeOfParallelism = 2 }, g =>
        {
            var yaml = dir.Write($"trials/{sweep}/{g.Cell}-{g.Hidden}-{g.SeqLen}.yaml", TrialYaml(corpus, g.Cell, g.Hidden, g.SeqLen, lr));
            var result = ChildProcess.RunDotnet(RepoPaths.RunnerDll, ["train", "--config", yaml, "--db", dbPath, "--threads", "1", "--device", "cpu"], TimeSpan.FromMinutes(3));
            if (result.ExitCode != 0) lock (failures) failures.Add($"{yaml}: {result}");
        });
        if (failures.Count > 0) throw new InvalidOperationException("the Runner failed:\n" + string.Join("\n", failures));

        // The trials as the Runner stored them, in grid order, become the sweep.
        var db = Database.Open(dbPath);
        var rows = new List<TrialRow>();
        using (var c = db.Connect())
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT trial_id FROM trials";
            using var reader = cmd.ExecuteReader();
            var trials = new TrialRepository(db);
            while (reader.Read()) rows.Add(trials.Get(reader.GetString(0))!);
        }
        var planned = grid.Select((g, i) =>
        {
            var row = rows.Single(r => r.Config.Model.Cell == g.Cell && r.Config.Model.Hidden == g.Hidden && r.Config.Data.SeqLen == g.SeqLen && r.Config.Train.Lr == lr);
            // As a spec with that grid writes them: in its order, as its text.
            var gridJson = GridJson.Write(new Dictionary<string, string>
            {
                ["model.cell"] = g.Cell, ["model.hidden"] = g.Hidden.ToString(CultureInfo.InvariantCulture), ["data.seq_len"] = g.SeqLen.ToString(CultureInfo.InvariantCulture),
            });
            return new SweepMember(row.TrialId, row.ConfigJson, i, gridJson, 0);
        }).ToList();
        new SweepRepository(db).Register(sweep, $"{sweep}.yaml", null, planned);
        SqliteConnection.ClearAllPools(); // close our connections: the WAL is checkpointed, the file is at rest
        return planned.Select(p => p.TrialId).ToList();
    }

    private static string TrialYaml(string corpus, string cell, int hidden, int seqLen, double lr) => string.Create(CultureInfo.InvariantCulture, $"""
        data: {"{"}path: {corpus}, seq_len: {seqLen}, val_fraction: 0.1{"}"}
        model: {"{"}cell: {cell}, embedding: 16, hidden: {hidden}{"}"}
        train: {"{"}batch_size: 8, epochs: {Epochs}, max_steps: 30, lr: {lr}, log_every: 3, val_batches: 4, seed: 7{"}"}
        probe: {"{"}text: peo, top_k: 5{"}"}
        sample: {"{"}prime: JULIET, length: 120, temperature: 0.8, seed: 11{"}"}
        """);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
