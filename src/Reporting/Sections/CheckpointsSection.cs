using System.Globalization;
using Reporting.Analysis;
using Reporting.Data;
using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>4. At each checkpoint, the next character the model predicts after the probe text, with its top-3 candidates.</summary>
internal sealed class CheckpointsSection : ISection
{
    public void Write(ReportContext ctx, MarkdownWriter md)
    {
        md.Heading(2, "4. Checkpoints");
        var d = ctx.Design;
        if (d.Trials.All(t => t.Data.Probes.Count == 0)) { md.Paragraph("No checkpoint has been probed yet."); return; }

        foreach (var cell in d.Cells)
        {
            ctx.Ct.ThrowIfCancellationRequested();
            md.Heading(3, cell.ToUpperInvariant());
            var main = ctx.MainTrial(cell)!;
            var trial = main.Data.Probes.Count > 0 ? main
                : d.Trials.Where(t => t.Cell == cell && t.Data.Probes.Count > 0).OrderBy(t => t.Data.Member.Ordinal).FirstOrDefault();
            if (trial is null) { md.Paragraph($"No {Md.Text(cell)} checkpoint has been probed yet."); continue; }
            var why = trial == main ? ReportContext.WhyMain(main) : "the first trial of this cell type with probes";
            md.Paragraph($"Trial {Md.Code(trial.Id)} ({Md.Text(d.Describe(trial))}; {why}).");
            md.Table(["checkpoint", "epoch", "step", "input", "output", "top-3 candidates (probability)"],
                trial.Data.Probes.Select(p => (IReadOnlyList<string>)
                [
                    Md.Code(p.Checkpoint),
                    p.Epoch.ToString(CultureInfo.InvariantCulture),
                    Format.Int(p.Step),
                    Md.Char(p.Input),
                    Md.Char(p.Predicted),
                    Top3(p),
                ]), "lrrlll");
            md.Paragraph(Trend(trial));
        }

        Matrix(ctx, md);
    }

    private static string Top3(Core.Store.ProbeRow p)
    {
        var top = ProbeCandidates.Of(p);
        return top.Count == 0 ? "(not recorded)" : string.Join(", ", top.Take(3).Select(c => $"{Md.Char(c.Char)} {Format.Prob(c.P)}"));
    }

    /// <summary>How the prediction for each probe input moved across the trial's checkpoints, in numbers.</summary>
    private static string Trend(TrialView t)
    {
        var sentences = new List<string>();
        foreach (var byInput in t.Data.Probes.GroupBy(p => p.Input, StringComparer.Ordinal))
        {
            var probes = byInput.ToList();
            var predicted = probes.Select(p => p.Predicted).ToList();
            var changes = predicted.Zip(predicted.Skip(1)).Count(x => x.First != x.Second);
            var final = probes[^1];
            var finalP = ProbeCandidates.Of(final).FirstOrDefault(c => c.Char == final.Predicted)?.P;
            var firstP = ProbeCandidates.Of(probes[0]).FirstOrDefault(c => c.Char == final.Predicted)?.P;
            var s = $"After {Md.Char(byInput.Key)} the predicted next character went {string.Join(" → ", predicted.Select(Md.Char))} "
                + $"over {Format.Plural(probes.Count, "checkpoint")} ({Format.Plural(changes, "change")}).";
            if (probes.Count > 1 && finalP is { } fp)
                s += firstP is { } f0
                    ? $" The probability of the final prediction {Md.Char(final.Predicted)} went from {Format.Prob(f0)} at {Md.Code(probes[0].Checkpoint)} to {Format.Prob(fp)} at {Md.Code(final.Checkpoint)}."
                    : $" The final prediction {Md.Char(final.Predicted)} has probability {Format.Prob(fp)} at {Md.Code(final.Checkpoint)} and was not among the recorded candidates at {Md.Code(probes[0].Checkpoint)}.";
            sentences.Add(s);
        }
        return string.Join(" ", sentences);
    }

    /// <summary>The prediction of every trial at every epoch checkpoint, side by side.</summary>
    private static void Matrix(ReportContext ctx, MarkdownWriter md)
    {
        var d = ctx.Design;
        var trials = d.Trials.Where(t => t.Data.Probes.Count > 0).ToList();
        if (trials.Count < 2) return;
        var inputs = trials.SelectMany(t => t.Data.Probes.Select(p => p.Input)).Distinct().Order(StringComparer.Ordinal).ToList();
        var checkpoints = trials.SelectMany(t => t.Data.Probes)
            .Where(p => p.Checkpoint.StartsWith("ckpt_", StringComparison.Ordinal))
            .Select(p => (p.Checkpoint, p.Epoch)).Distinct().OrderBy(c => c.Epoch).ThenBy(c => c.Checkpoint, StringComparer.Ordinal)
            .Select(c => c.Checkpoint).ToList();
        if (checkpoints.Count == 0) return;
        foreach (var input in inputs)
        {
            md.Paragraph($"Prediction after {Md.Char(input)} at each epoch checkpoint, every trial (probability of the predicted character):");
            md.Table(["trial", .. checkpoints.Select(Md.Code)],
                trials.Select(t => (IReadOnlyList<string>)
                [
                    Md.Text(d.Describe(t)),
                    .. checkpoints.Select(name =>
                    {
                        var p = t.Data.Probes.FirstOrDefault(x => x.Checkpoint == name && x.Input == input);
                        if (p is null) return Format.Missing;
                        var prob = ProbeCandidates.Of(p).FirstOrDefault(c => c.Char == p.Predicted)?.P;
                        return prob is { } x ? $"{Md.Char(p.Predicted)} {Format.Prob(x)}" : Md.Char(p.Predicted);
                    }),
                ]));
        }
    }
}
