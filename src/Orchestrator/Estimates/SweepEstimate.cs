using System.Globalization;
using Core.Spec;
using Core.Store;

namespace Orchestrator.Estimates;

/// <summary>A measured training speed of one shape on this device (<c>runner check</c>), and the Runner's start-up time around it.</summary>
internal sealed record MeasuredSpeed(TrainingShape Shape, double CharsPerSec, double StartupSeconds, int Steps, string Device);

/// <summary>One trial's estimate: seconds with their low and high ends, and where the speed came from (recorded or measured).</summary>
internal sealed record TrialEstimate(string TrialId, long Chars, double Seconds, double Low, double High, string Basis);

/// <summary>
/// How long a sweep will take on this machine, before its first step (<c>run --dry-run</c>, <c>doctor SPEC</c>):
/// per trial, the characters it has left to train (<see cref="TrialWork"/>) at the speed of completed
/// trials of the same shape recorded in the store (every recorded epoch's speed, validation included:
/// their median, and their extremes as the spread), else at a speed measured on this device by a few
/// real steps (the smallest and largest such shapes; the others scaled linearly in multiply-adds per
/// character between them; ±25%), plus each trial's start-up (recorded, else the measuring Runner's);
/// then the wall time with <c>parallel</c> trials at once, longest first.
/// </summary>
internal sealed record SweepEstimate(IReadOnlyList<TrialEstimate> Trials, int Parallel, IReadOnlyList<string> Basis, IReadOnlyList<string> Unknown)
{
    /// <summary>Spread of an estimate from a measured step: random data, no validation or checkpoints, no neighbours.</summary>
    public const double MeasuredSpread = 0.25;

    /// <summary>The narrowest spread of one from records (a record speaks for the conditions it ran in).</summary>
    public const double RecordedSpread = 0.10;

    public double Seconds => Trials.Sum(t => t.Seconds);
    public double Low => Trials.Sum(t => t.Low);
    public double High => Trials.Sum(t => t.High);
    public long Chars => Trials.Sum(t => t.Chars);

    /// <summary>Wall time at <see cref="Parallel"/> trials at once: each trial goes to the slot that frees first, longest first.</summary>
    public double Wall(Func<TrialEstimate, double> seconds)
    {
        var slots = new double[Math.Max(1, Parallel)];
        foreach (var t in Trials.OrderByDescending(seconds))
        {
            var i = Array.IndexOf(slots, slots.Min());
            slots[i] += seconds(t);
        }
        return slots.Max();
    }

    /// <param name="epochsLeft">Epochs each planned trial has still to train (0: nothing).</param>
    /// <param name="measure">Measures the given shapes on this device; null when measuring is off (then shapes without records stay unknown).</param>
    public static async Task<SweepEstimate> MakeAsync(SweepSpec spec, int parallel, Func<PlannedTrial, int> epochsLeft, Database? db,
        Func<IReadOnlyList<TrainingShape>, Task<(IReadOnlyList<MeasuredSpeed> Speeds, string? Problem)>>? measure)
    {
        var recorded = db is null ? new Dictionary<TrainingShape, List<double>>() : RecordedRates(db, spec.Execution.Device);
        var startups = db is null ? [] : RecordedStartups(db);
        var work = spec.Trials.DistinctBy(t => t.Id).Select(t => (Trial: t, Shape: TrainingShape.Of(t.Config), Work: TrialWork.Of(t.Config, epochsLeft(t)))).ToList();
        var unknown = work.Where(w => w.Work is null).Select(w => w.Trial.Id).ToList();
        var toMeasure = work.Where(w => w.Work is { TrainChars: > 0 } && !recorded.ContainsKey(w.Shape)).Select(w => w.Shape).Distinct().ToList();
        var basis = new List<string>();
        IReadOnlyList<MeasuredSpeed> measured = [];
        if (toMeasure.Count > 0 && measure is not null)
        {
            var ends = toMeasure.OrderBy(s => s.MultiplyAdds).ToList();
            var picked = ends.Count == 1 ? ends : [ends[0], ends[^1]];
            (measured, var problem) = await measure(picked).ConfigureAwait(false);
            if (problem is not null) basis.Add($"no measurement: {problem}");
        }
        var startup = startups.Count > 0 ? Median(startups) : measured.Count > 0 ? measured.Average(m => m.StartupSeconds) : 0;

        var estimates = new List<TrialEstimate>();
        foreach (var (trial, shape, w) in work)
        {
            if (w is null) continue;
            if (w.TrainChars == 0)
            {
                estimates.Add(new TrialEstimate(trial.Id, 0, 0, 0, 0, "nothing to train"));
                continue;
            }
            if (recorded.TryGetValue(shape, out var rates))
            {
                var (mid, fast, slow) = (Median(rates), rates.Max(), rates.Min());
                double Time(double rate) => w.TrainChars / rate + startup;
                estimates.Add(new TrialEstimate(trial.Id, w.TrainChars, Time(mid), Math.Min(Time(fast), Time(mid) * (1 - RecordedSpread)),
                    Math.Max(Time(slow), Time(mid) * (1 + RecordedSpread)), "recorded"));
            }
            else if (CostPerChar(shape, measured) is { } cost)
            {
                // Validation runs forward only: about a third of a training step's work per character.
                var seconds = (w.TrainChars + w.ValChars / 3.0) * cost + startup;
                estimates.Add(new TrialEstimate(trial.Id, w.TrainChars, seconds, seconds * (1 - MeasuredSpread), seconds * (1 + MeasuredSpread), "measured"));
            }
            else unknown.Add(trial.Id);
        }

        var fromRecords = estimates.Count(e => e.Basis == "recorded");
        if (fromRecords > 0)
            basis.Add($"{fromRecords} trial(s) at the speed of completed trials of the same shape in the database " +
                      $"({recorded.Where(r => work.Any(w => w.Shape == r.Key)).Sum(r => r.Value.Count)} recorded epochs, validation included; spread: their slowest and fastest, at least ±{RecordedSpread * 100:0}%)");
        var fromMeasure = estimates.Count(e => e.Basis == "measured");
        if (fromMeasure > 0)
            basis.Add($"{fromMeasure} trial(s) at a speed measured now on {measured[0].Device} ({string.Join("; ", measured.Select(m => $"{m.Shape}: {Rate(m.CharsPerSec)} chars/s over {m.Steps} steps"))}" +
                      $"{(measured.Count > 1 ? "; other shapes scaled by multiply-adds per character" : "")}; spread ±{MeasuredSpread * 100:0}%)");
        if (estimates.Any(e => e.Chars > 0))
            basis.Add($"plus {startup.ToString("0.0", CultureInfo.InvariantCulture)} s a trial for its Runner's start-up, corpus and checkpoints ({(startups.Count > 0 ? $"median of {startups.Count} recorded trial(s)" : "the measuring Runner's start-up")})");
        return new SweepEstimate(estimates, parallel, basis, unknown);
    }

    /// <summary>
    /// The estimate of a plan (<see cref="Planning.SweepPlan.Describe"/>): completed and failed trials have
    /// nothing left, others their epochs from where they stand; a continuation from its checkpoint, a
    /// shorter budget nothing. Measures unrecorded shapes on this device when <paramref name="measure"/> is true.
    /// </summary>
    public static Task<SweepEstimate> OfPlanAsync(SweepSpec spec, IReadOnlyList<Planning.SweepPlan.PlanRow> rows, int parallel, Database? db, bool measure, CancellationToken ct)
    {
        var left = rows.DistinctBy(r => r.Trial.Id).ToDictionary(r => r.Trial.Id, r =>
        {
            var epochs = r.Trial.Config.Train.Epochs;
            if (r.Stored is { } stored) return stored.State is TrialStates.Completed or TrialStates.Failed ? 0 : Math.Max(0, epochs - stored.Epoch);
            return r.Extends is { } e ? (e.Complete ? 0 : epochs - e.Epochs) : epochs;
        });
        return MakeAsync(spec, parallel, t => left[t.Id], db, measure ? shapes => ShapeMeter.MeasureAsync(spec.Execution, shapes, ct) : null);
    }

    /// <summary>Seconds per training character of <paramref name="shape"/>: a measured shape's own, else linear in multiply-adds between the measured ones (proportional with one).</summary>
    private static double? CostPerChar(TrainingShape shape, IReadOnlyList<MeasuredSpeed> measured)
    {
        if (measured.Count == 0) return null;
        if (measured.FirstOrDefault(m => m.Shape == shape) is { } same) return 1 / same.CharsPerSec;
        var points = measured.Select(m => (X: m.Shape.MultiplyAdds, Y: 1 / m.CharsPerSec)).OrderBy(p => p.X).ToList();
        var (a, b) = (points[0], points[^1]);
        if (points.Count == 1 || b.X == a.X) return a.Y * shape.MultiplyAdds / a.X;
        var slope = (b.Y - a.Y) / (b.X - a.X);
        return Math.Max(a.Y + slope * (shape.MultiplyAdds - a.X), Math.Min(a.Y, b.Y) * 0.5);
    }

    /// <summary>Characters per second of every recorded epoch (validation included), by shape; only trials on the device the spec asks for (any, for auto).</summary>
    private static Dictionary<TrainingShape, List<double>> RecordedRates(Database db, string device)
    {
        var rates = new Dictionary<TrainingShape, List<double>>();
        foreach (var trial in new RecordedSpeeds(db).Epochs().GroupBy(e => e.TrialId))
        {
            var first = trial.First();
            if (device != "auto" && first.Device != device) continue;
            var config = Core.Config.TrialConfig.FromJson(first.ConfigJson);
            var shape = TrainingShape.Of(config);
            long before = 0;
            foreach (var e in trial.OrderBy(e => e.Step))
            {
                var chars = (e.Step - before) * (double)config.Train.BatchSize * config.Data.SeqLen;
                before = e.Step;
                if (e.Seconds > 0 && chars > 0) (rates.TryGetValue(shape, out var list) ? list : rates[shape] = []).Add(chars / e.Seconds);
            }
        }
        return rates;
    }

    /// <summary>Seconds each recorded trial spent outside its epochs (start-up, corpus, checkpoints, sample).</summary>
    private static List<double> RecordedStartups(Database db) =>
        new RecordedSpeeds(db).Trials().Select(t => t.WallSeconds - t.EpochSeconds).Where(s => s >= 0).ToList();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The sweep's lines: the total with its spread and the wall time, the basis, and what could not be estimated.</summary>
    public IReadOnlyList<string> Lines(string device)
    {
        var toTrain = Trials.Count(t => t.Chars > 0);
        var lines = new List<string>
        {
            $"estimate: {toTrain} trial(s) to train, {Rate(Chars)} characters; {Duration(Seconds)} of trial time ({Duration(Low)} – {Duration(High)}), " +
            $"wall time about {Duration(Wall(t => t.Seconds))} ({Duration(Wall(t => t.Low))} – {Duration(Wall(t => t.High))}) at parallel {Parallel} on {device}",
        };
        lines.AddRange(Basis.Select(b => "  basis: " + b));
        if (Unknown.Count > 0)
            lines.Add($"  not estimated: {Unknown.Count} trial(s) ({string.Join(", ", Unknown.Take(3))}{(Unknown.Count > 3 ? ", …" : "")}): no record of their shape, and no measurement (or no corpus file to size their epochs)");
        return lines;
    }

    /// <summary>"42 s", "3 min 20 s", "2 h 05 min".</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:00} min")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} min {t.Seconds:00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Seconds} s");
    }

    private static string Rate(double n) => n >= 1e6 ? (n / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " M"
        : n >= 1e3 ? (n / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " k" : n.ToString("0", CultureInfo.InvariantCulture);
}
