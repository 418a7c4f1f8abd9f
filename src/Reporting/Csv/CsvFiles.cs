using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Reporting.Analysis;
using Reporting.Data;

namespace Reporting.Csv;

/// <summary>The sweep's data as four CSV files (invariant culture, "\n" line endings, round-trip doubles, sweep order).</summary>
internal static class CsvFiles
{
    public const string Trials = "trials.csv";
    public const string Metrics = "metrics.csv";
    public const string Probes = "probes.csv";
    public const string Samples = "samples.csv";

    public static CsvConfiguration Configuration => new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    public static IReadOnlyList<(string Name, byte[] Bytes)> Build(SweepData data, Design design, CancellationToken ct) =>
    [
        (Trials, Write(design.Trials.Select(t => TrialRow(data, t)))),
        (Metrics, Write(MetricRows(design, ct))),
        (Probes, Write(ProbeRows(design))),
        (Samples, Write(SampleRows(design))),
    ];

    private static TrialCsvRow TrialRow(SweepData data, TrialView t)
    {
        var c = t.Data.Config;
        var row = t.Data.Trial;
        var s = t.Stats;
        return new TrialCsvRow
        {
            Sweep = data.Sweep.Name, Ordinal = t.Data.Member.Ordinal, TrialId = t.Id, Repeat = t.Repeat, State = row.State, Attempt = row.Attempt,
            Cell = c.Model.Cell, Embedding = c.Model.Embedding, Hidden = c.Model.Hidden, Layers = c.Model.Layers, Dropout = c.Model.Dropout,
            SeqLen = c.Data.SeqLen, BatchSize = c.Train.BatchSize, Lr = c.Train.Lr, Epochs = c.Train.Epochs, MaxSteps = c.Train.MaxSteps, Seed = c.Train.Seed,
            EpochsDone = row.Epoch, StepsDone = row.Step, Device = row.Device, Params = row.Params, VocabSize = row.VocabSize,
            FinalTrainLoss = s.FinalTrainLoss, FinalValLoss = s.FinalValLoss, FinalValError = s.FinalValError, FinalTrainError = s.FinalTrainError,
            BestValLoss = s.BestValLoss, BestEpoch = s.BestEpoch, BestValError = s.BestValError, OverfitGap = s.Gap,
            CharsPerSec = s.CharsPerSec, TrainSeconds = s.TrainSeconds, ExitCode = row.ExitCode, Failure = row.Failure,
        };
    }

    private static IEnumerable<MetricCsvRow> MetricRows(Design design, CancellationToken ct)
    {
        foreach (var t in design.Trials)
        {
            ct.ThrowIfCancellationRequested();
            var c = t.Data.Config;
            foreach (var m in t.Data.AllMetrics)
                yield return new MetricCsvRow
                {
                    TrialId = t.Id, Cell = c.Model.Cell, Hidden = c.Model.Hidden, SeqLen = c.Data.SeqLen, Seed = c.Train.Seed,
                    Name = m.Name, Step = m.Step, Epoch = m.Epoch, Value = m.Value, WallTime = m.WallTime,
                };
        }
    }

    private static IEnumerable<ProbeCsvRow> ProbeRows(Design design)
    {
        foreach (var t in design.Trials)
            foreach (var p in t.Data.Probes)
            {
                var top = ProbeCandidates.Of(p);
                ProbeCsvRow Row(int? rank, ProbeCandidate? c) => new()
                {
                    TrialId = t.Id, Checkpoint = p.Checkpoint, Epoch = p.Epoch, Step = p.Step, Input = p.Input, Predicted = p.Predicted,
                    Rank = rank, Candidate = c?.Char, Probability = c?.P,
                };
                if (top.Count == 0) yield return Row(null, null);
                for (var i = 0; i < top.Count; i++) yield return Row(i + 1, top[i]);
            }
    }

    private static IEnumerable<SampleCsvRow> SampleRows(Design design) =>
        design.Trials.SelectMany(t => t.Data.Samples
            .OrderBy(s => s.Checkpoint, StringComparer.Ordinal).ThenBy(s => s.Prime, StringComparer.Ordinal)
            .ThenBy(s => s.Length).ThenBy(s => s.Temperature).ThenBy(s => s.TopK).ThenBy(s => s.Seed)
            .Select(s => new SampleCsvRow
            {
                TrialId = t.Id, Checkpoint = s.Checkpoint, Prime = s.Prime, Length = s.Length, Temperature = s.Temperature,
                TopK = s.TopK, Seed = s.Seed, Text = s.Text, CreatedAt = s.CreatedAt,
            }));

    private static byte[] Write<T>(IEnumerable<T> rows)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
        using (var csv = new CsvWriter(writer, Configuration))
        {
            csv.WriteRecords(rows);
        }
        return stream.ToArray();
    }
}
