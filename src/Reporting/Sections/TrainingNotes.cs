using Core.Config;
using Core.Store;
using Reporting.Analysis;
using Reporting.Figures;

namespace Reporting.Sections;

/// <summary>
/// What a reader must know to read the curves, computed from the sweep: how many characters an optimizer
/// step and an epoch stand for, and why validation loss can lie below training loss.
/// </summary>
internal static class TrainingNotes
{
    /// <summary>Why the per-epoch validation loss can be lower than the training loss of the same epoch.</summary>
    public const string ValidationBelowTraining =
        "Training loss per epoch is the mean over the epoch's steps, taken while the model is still learning; validation loss is measured once, "
        + "after the epoch's last step. So validation loss can lie below the training loss of the same epoch without the model doing better on unseen text.";

    /// <summary>Characters one optimizer step trains on: batch size × sequence length (the last batch of a full pass can be smaller).</summary>
    public static long CharsPerStep(ConfigGroup c) => (long)c.Trials[0].Data.Config.Train.BatchSize * c.Trials[0].Data.Config.Data.SeqLen;

    /// <summary>Optimizer steps of one epoch as recorded: the step of the first epoch's validation loss; null before an epoch ended.</summary>
    public static long? StepsPerEpoch(ConfigGroup c) =>
        c.Trials.SelectMany(t => t.Data.Metric(MetricNames.ValLoss)).Where(m => m.Epoch == 1).Select(m => (long?)m.Step).FirstOrDefault();

    /// <summary>
    /// A top axis in characters seen for a panel of <paramref name="configs"/> drawn against optimizer steps, when they
    /// all train on the same characters per step; null otherwise.
    /// </summary>
    public static TopAxis? CharsAxis(IReadOnlyList<ConfigGroup> configs, double maxStep)
    {
        var perStep = configs.Select(CharsPerStep).Distinct().ToList();
        if (perStep.Count != 1) return null;
        var (unit, name) = maxStep * perStep[0] >= 2e6 ? (1e6, "millions") : (1e3, "thousands");
        return new TopAxis($"characters seen ({name})", perStep[0] / unit);
    }

    /// <summary>
    /// "The x axis counts optimizer steps; one step trains on batch size × sequence length characters (32 × 25 = 800 to
    /// 32 × 75 = 2,400), so at the same step seq_len 75 has seen 3× the characters of seq_len 25. …"
    /// </summary>
    public static string StepsNote(Design d)
    {
        var byChars = d.Configs.GroupBy(CharsPerStep).OrderBy(g => g.Key).ToList();
        if (byChars.Count == 0) return "";
        var s = "The bottom x axis counts optimizer steps; one step trains on batch size × sequence length characters";
        if (byChars.Count == 1)
            return s + $" ({Product(byChars[0].First())}), the same for every configuration. The top axis shows the characters seen.";
        var (lo, hi) = (byChars[0].First(), byChars[^1].First());
        return s + $" ({Product(lo)} to {Product(hi)}), so at the same step {Md(d, hi)} has seen {Format.Number((double)byChars[^1].Key / byChars[0].Key, "0.##")}× "
            + $"the characters of {Md(d, lo)}. The top axis of each figure shows the characters seen by its configurations.";
    }

    /// <summary>
    /// Whether an epoch is a full pass over the training text (the same characters for every configuration) or is cut
    /// at train.max_steps (then longer sequences or batches see more characters per epoch), with the numbers.
    /// </summary>
    public static string EpochNote(Design d)
    {
        var known = d.Configs.Select(c => (Config: c, Steps: StepsPerEpoch(c))).Where(x => x.Steps is not null).ToList();
        if (known.Count == 0) return "";
        var capped = known.Where(x => x.Config.Trials[0].Data.Config.Train.MaxSteps is > 0 and var m && x.Steps == m).ToList();
        var perEpoch = known.GroupBy(x => x.Steps!.Value * CharsPerStep(x.Config)).OrderBy(g => g.Key).ToList();
        string Range() => perEpoch.Count == 1
            ? $"{Format.Int(perEpoch[0].Key)} characters"
            : $"{Format.Int(perEpoch[0].Key)} ({Md(d, perEpoch[0].First().Config)}) to {Format.Int(perEpoch[^1].Key)} characters ({Md(d, perEpoch[^1].First().Config)})";
        if (capped.Count == known.Count)
        {
            var caps = capped.Select(x => x.Steps!.Value).Distinct().ToList();
            return $"Every epoch here is cut at {Markdown.Md.Code("train.max_steps")} = {string.Join("/", caps.Select(c => Format.Int(c)))} optimizer steps, less than a full pass over the training text, "
                + $"so an epoch stands for {Range()}"
                + (perEpoch.Count > 1 ? ": at the same epoch, configurations with longer sequences or larger batches have seen more text." : ".");
        }
        if (capped.Count == 0)
        {
            var (lo, hi) = (perEpoch[0].Key, perEpoch[^1].Key);
            return hi <= lo * 1.05
                ? $"An epoch is one full pass over the training text, about {Format.Int(Rounded((lo + hi) / 2))} characters for every configuration, "
                  + "so at the same epoch every configuration has seen the same text."
                : $"An epoch is one full pass over the training text: {Range()}.";
        }
        return $"{capped.Count} of {known.Count} configurations cut their epochs at {Markdown.Md.Code("train.max_steps")}; the others make a full pass over the training text. An epoch stands for {Range()}.";
    }

    /// <summary>Three significant digits: 183,000.</summary>
    private static long Rounded(long v)
    {
        var scale = (long)Math.Pow(10, Math.Max(0, Math.Floor(Math.Log10(Math.Max(1, v))) - 2));
        return (long)Math.Round((double)v / scale) * scale;
    }

    private static string Product(ConfigGroup c)
    {
        var cfg = c.Trials[0].Data.Config;
        return $"{cfg.Train.BatchSize} × {cfg.Data.SeqLen} = {Format.Int(CharsPerStep(c))}";
    }

    /// <summary>The factors of <paramref name="c"/> that set its characters per step (batch size, sequence length), e.g. "seq_len 75".</summary>
    private static string Md(Design d, ConfigGroup c)
    {
        var parts = d.Others.Where(f => f.Path is Parameters.SeqLen or "train.batch_size").Select(f => f.Describe(c.ValueOf(f))).ToList();
        return Markdown.Md.Text(parts.Count > 0 ? string.Join(", ", parts) : d.Describe(c));
    }
}
