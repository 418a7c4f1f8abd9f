using System.Globalization;
using System.Text.Json;
using Core.Config;
using Core.Spec;
using Core.Store;

namespace Reporting.Tests.Support;

/// <summary>
/// Fills a store through the Core repositories with plausible trial records (no training): curves that
/// fall and, for large models, overfit; probes; samples; architecture rows. For the benchmark and for
/// focused tests of states a real run rarely produces (failures, running trials, several seeds).
/// The values are a deterministic function of the trial config.
/// </summary>
public sealed class SyntheticStore(Database db)
{
    public const int Vocab = 65;
    private static readonly double DefaultLr = new TrainConfig().Lr;
    private const string Owner = "synthetic";

    /// <summary>One trial to create: the trial as its spec planned it, and how far it got.</summary>
    public sealed record Trial(PlannedTrial Planned, string State, int EpochsDone, string? Failure = null)
    {
        public TrialConfig Config => Planned.Config;
        public string Id => Planned.Id;
        public int Ordinal => Planned.Ordinal;
        public int Repeat => Planned.Repeat;
    }

    /// <summary>
    /// cells × hidden × seq_len × repeats, all completed: the trials of a spec with that grid, expanded
    /// by the real spec loader (so their configs, order, seeds and grid values are a real sweep's).
    /// </summary>
    public static List<Trial> Grid(string[] cells, int[] hidden, int[] seqLens, int repeats = 1, int epochs = 5, int maxSteps = 0, int logEvery = 10)
    {
        static string Flow<T>(IEnumerable<T> values) => "[" + string.Join(", ", values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0}", v))) + "]";
        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            name: synthetic
            data: { path: data/tinyshakespeare.txt }
            model: { embedding: 256 }
            train: { batch_size: 64, epochs: {{epochs}}, max_steps: {{maxSteps}}, log_every: {{logEvery}}, seed: 42 }
            grid:
              model.cell: {{Flow(cells)}}
              model.hidden: {{Flow(hidden)}}
              data.seq_len: {{Flow(seqLens)}}
            repeats: {{repeats}}
            """);
        return SpecLoader.LoadText(SpecPath, yaml).Trials.Select(t => new Trial(t, TrialStates.Completed, epochs)).ToList();
    }

    /// <summary>
    /// The trials of a random-search spec (<c>search: { method: random }</c>) with these <c>grid:</c> lines, all completed,
    /// expanded by the real spec loader, and the spec's text (to register, as <c>orchestrator run</c> stores it).
    /// </summary>
    public static (List<Trial> Trials, string Yaml) Sampled(string[] grid, int trials, long seed = 7, int epochs = 3, int logEvery = 10)
    {
        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            name: synthetic
            data: { path: data/tinyshakespeare.txt }
            model: { embedding: 256, hidden: 256 }
            train: { batch_size: 64, epochs: {{epochs}}, log_every: {{logEvery}}, seed: 42 }
            search: { method: random, trials: {{trials}}, seed: {{seed}} }
            grid:
            {{string.Join("\n", grid.Select(g => "  " + g))}}
            """);
        return (SpecLoader.LoadText(SpecPath, yaml).Trials.Select(t => new Trial(t, TrialStates.Completed, epochs)).ToList(), yaml);
    }

    private const string SpecPath = "experiments/synthetic.yaml";

    /// <summary>
    /// Records the sweep and its trials as <c>orchestrator run</c> does (<see cref="SweepRepository.Register(SweepSpec)"/>),
    /// with the spec's text <paramref name="yaml"/> (default: just its name).
    /// </summary>
    public void Register(string sweep, IReadOnlyList<Trial> trials, string? yaml = null) =>
        new SweepRepository(db).Register(new SweepSpec(sweep, SpecPath, yaml ?? "name: " + sweep, new ExecutionConfig(), trials.Select(t => t.Planned).ToList()));

    /// <summary>Records <paramref name="t"/>: <paramref name="stepsPerEpoch"/> steps per epoch, train_loss every log_every steps.</summary>
    public void Record(Trial t, int stepsPerEpoch)
    {
        var trials = new TrialRepository(db);
        var results = new ResultRepository(db);
        if (t.State == TrialStates.Pending && t.EpochsDone == 0) return;
        trials.ClaimTrial(t.Id, Owner, TimeSpan.FromHours(1));
        var c = t.Config;
        var rng = new Random((int)(uint)StableHash(t.Id));
        var layers = Architecture(t.Id, c);
        results.RecordArchitecture(t.Id, layers);
        trials.Progress(t.Id, 0, 0, "cpu", layers.Sum(l => l.Params), Vocab);

        var logEvery = c.Train.LogEvery;
        var wall = 1_700_000_000.0 + t.Ordinal * 10_000;
        var size = Math.Log2(c.Model.Hidden / 128.0);                   // 1, 2, 3 for 256, 512, 1024
        var cellGain = c.Model.Cell == "lstm" ? 0.04 : c.Model.Cell == "rnn" ? -0.15 : 0;
        var lrCost = 0.15 * Math.Log10(c.Train.Lr / DefaultLr);      // 0 at the default rate, which every grid here keeps
        var floor = 1.75 - 0.12 * size - cellGain - 0.0008 * (c.Data.SeqLen - 50) + 0.01 * t.Repeat + lrCost;
        double TrainAt(double progress) => floor + 2.4 * Math.Exp(-4.5 * progress) - 0.05 * size * progress;
        for (var epoch = 1; epoch <= t.EpochsDone; epoch++)
        {
            var batch = new List<MetricRow>();
            var sum = 0.0;
            for (var i = 1; i <= stepsPerEpoch; i++)
            {
                var step = (long)(epoch - 1) * stepsPerEpoch + i;
                var loss = TrainAt((double)step / (stepsPerEpoch * c.Train.Epochs)) + 0.06 * (rng.NextDouble() - 0.5);
                sum += loss;
                wall += 0.05;
                if (step % logEvery == 0) batch.Add(new MetricRow(t.Id, MetricNames.TrainLoss, step, null, loss, wall));
            }
            var end = (long)epoch * stepsPerEpoch;
            var train = sum / stepsPerEpoch;
            var overfit = Math.Max(0, size);
            var val = train + 0.03 + 0.05 * overfit * overfit * (epoch - 1) / 4.0 + 0.01 * rng.NextDouble();
            var rate = 40_000.0 * Math.Pow(256.0 / c.Model.Hidden, 0.7) / (c.Model.Cell == "lstm" ? 1.3 : 1) * (0.97 + 0.06 * rng.NextDouble());
            batch.AddRange(
            [
                new MetricRow(t.Id, MetricNames.EpochTrainLoss, end, epoch, train, wall),
                new MetricRow(t.Id, MetricNames.TrainError, end, epoch, 0.30 + 0.11 * train - 0.12, wall),
                new MetricRow(t.Id, MetricNames.ValLoss, end, epoch, val, wall),
                new MetricRow(t.Id, MetricNames.ValError, end, epoch, 0.31 + 0.11 * val - 0.12, wall),
                new MetricRow(t.Id, MetricNames.CharsPerSec, end, epoch, rate, wall),
                new MetricRow(t.Id, MetricNames.EpochSeconds, end, epoch, stepsPerEpoch * (double)c.Train.BatchSize * c.Data.SeqLen / rate, wall),
            ]);
            results.WriteMetrics(batch, (t.Id, epoch, end));
            var name = $"ckpt_{epoch}";
            results.RecordCheckpoint(new CheckpointRow
            {
                TrialId = t.Id, Name = name, Epoch = epoch, Step = end, Path = $"checkpoints/{t.Id}/{name}.pt",
                Sha256 = new string('0', 64), Bytes = 1000, CreatedAt = Stamp(wall),
            });
            var top = Top(rng, epoch, t.EpochsDone);
            results.RecordProbe(new ProbeRow
            {
                TrialId = t.Id, Checkpoint = name, Input = c.Probe.Text, Step = end, Epoch = epoch, Predicted = top[0].c,
                TopJson = JsonSerializer.Serialize(top.Select(x => new { @char = x.c, p = x.p })),
            });
        }
        if (t.EpochsDone > 0)
        {
            var last = $"ckpt_{t.EpochsDone}";
            results.RecordSample(new SampleRow
            {
                TrialId = t.Id, Checkpoint = last, Prime = c.Sample.Prime, Length = c.Sample.Length, Temperature = c.Sample.Temperature,
                TopK = c.Sample.TopK, Seed = c.Sample.Seed, Text = SampleText(rng, c.Sample.Prime, 240), CreatedAt = Stamp(wall),
            });
        }
        switch (t.State)
        {
            case TrialStates.Completed: trials.Complete(t.Id, Owner); break;
            case TrialStates.Failed: trials.Fail(t.Id, Owner, 3, t.Failure ?? "diverged"); break;
            case TrialStates.Pending: trials.Release(t.Id, Owner, 4, t.Failure ?? "interrupted"); break;
            case TrialStates.Stopped: trials.Stop(t.Id, Owner, new StopDecision(true, "median", MetricNames.ValLoss, t.EpochsDone, 2.75, 2.5, 3)); break;
        }
    }

    public static List<ArchitectureRow> Architecture(string id, TrialConfig c)
    {
        int e = c.Model.Embedding, h = c.Model.Hidden, gates = c.Model.Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
        var b = c.Train.BatchSize.ToString(CultureInfo.InvariantCulture);
        return
        [
            new() { TrialId = id, Ordinal = 0, Layer = "embedding", Type = "Embedding", OutputShape = $"({b}, None, {e})", Params = (long)Vocab * e },
            new() { TrialId = id, Ordinal = 1, Layer = c.Model.Cell, Type = c.Model.Cell.ToUpperInvariant(), OutputShape = $"({b}, None, {h})", Params = (long)gates * (h * e + h * h + 2 * h) },
            new() { TrialId = id, Ordinal = 2, Layer = "dense", Type = "Linear", OutputShape = $"({b}, None, {Vocab})", Params = (long)h * Vocab + Vocab },
        ];
    }

    private static (string c, double p)[] Top(Random rng, int epoch, int epochs)
    {
        var lead = 0.25 + 0.5 * epoch / Math.Max(1, epochs);
        string[] chars = epoch < 2 ? ["r", "p", " ", "u", "n"] : ["p", "u", "r", "n", "\n"];
        var rest = 1 - lead;
        return chars.Select((ch, i) => (ch, i == 0 ? lead : rest * (0.5 - 0.1 * i) * (0.9 + 0.2 * rng.NextDouble()))).ToArray();
    }

    private static string SampleText(Random rng, string prime, int length)
    {
        string[] words = ["the", "lord", "of", "my", "heart", "and", "thou", "art", "night", "sweet", "love", "`quoted`", "|", "what"];
        var sb = new System.Text.StringBuilder(prime).Append(":\n");
        while (sb.Length < length) sb.Append(words[rng.Next(words.Length)]).Append(rng.Next(9) == 0 ? ",\n" : " ");
        return sb.ToString();
    }

    private static string Stamp(double unix) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(unix * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static int StableHash(string s)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var ch in s) h = (h ^ ch) * 16777619;
            return h;
        }
    }
}
