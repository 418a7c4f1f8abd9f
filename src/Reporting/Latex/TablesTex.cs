using System.Text;
using Reporting.Analysis;
using Reporting.Data;
using Reporting.Sections;

namespace Reporting.Latex;

/// <summary>
/// tables.tex: the report's tables for a paper, as booktabs tables that compile with a stock TeX Live
/// (<c>\usepackage{booktabs}</c>, then <c>\input{tables}</c>): the architecture of each cell type's main
/// trial, the results of every configuration (best and final validation loss; mean ± sd over seeds when
/// there are repeats) and the factor effects (level means of best validation loss). Pure ASCII.
/// </summary>
internal static class TablesTex
{
    public const string File = "tables.tex";

    public static string Build(ReportContext ctx)
    {
        var d = ctx.Design;
        var sweep = ctx.Data.Sweep.Name;
        var sb = new StringBuilder();
        sb.Append("% Tables of sweep ").Append(Tex.Text(sweep)).Append(", written by `orchestrator report` from the database ")
            .Append(Tex.Text(ctx.Data.DatabaseName)).Append(" (last change ").Append(SweepClock.Show(ctx.Data.LastChange)).Append(").\n");
        sb.Append("% Needs \\usepackage{booktabs} in the preamble; then \\input{tables} where the tables go.\n");
        sb.Append("% Losses in nats per character.\n\n");
        if (d.Trials.Count == 0)
        {
            sb.Append("% The sweep has no trials.\n");
            return sb.ToString();
        }
        Architecture(ctx, sb, sweep);
        Results(ctx, sb, sweep);
        if (ctx.Sampled is { } space) SampledParams(ctx, sb, sweep, space);
        else Factors(ctx, sb, sweep);
        return sb.ToString();
    }

    private static void Architecture(ReportContext ctx, StringBuilder sb, string sweep)
    {
        var d = ctx.Design;
        foreach (var cell in d.Cells)
        {
            var main = ctx.MainTrial(cell)!;
            var trial = main.Data.Architecture.Count > 0 ? main
                : d.Trials.Where(t => t.Cell == cell && t.Data.Architecture.Count > 0).OrderBy(t => t.Data.Member.Ordinal).FirstOrDefault();
            if (trial is null) continue;
            var layers = trial.Data.Architecture;
            var total = layers.Sum(l => l.Params);
            var table = new TexTable(
                Tex.Text($"Architecture of the {cell.ToUpperInvariant()} model ({d.Describe(trial)}; trial {trial.Id}), batch size {trial.Data.Config.Train.BatchSize}. "
                    + $"Total {Format.Int(total)} trainable parameters ({Format.Megabytes(total)} as float32)."),
                $"tab:{Tex.Label(sweep)}-architecture-{Tex.Label(cell)}", "llr", ["Layer (type)", "Output shape", "Param \\#"]);
            foreach (var l in layers) table.Row([Tex.Text($"{l.Layer} ({l.Type})"), Tex.Text(l.OutputShape), Format.Int(l.Params)]);
            table.Rule().Row(["Total", "", Format.Int(total)]);
            table.WriteTo(sb);
        }
    }

    private static void Results(ReportContext ctx, StringBuilder sb, string sweep)
    {
        var d = ctx.Design;
        var anyUnfinished = d.Configs.Any(c => !c.HasResult || c.Completed.Count < c.Trials.Count);
        var best = d.Configs.Where(c => c.HasResult).MinBy(c => c.Final(s => s.BestValLoss)?.Mean ?? double.MaxValue);
        var header = d.Factors.Select(f => Tex.Text(f.Short)).Concat(["Params", "Best", "Epoch", "Final"]).ToList();
        if (anyUnfinished) header.Add("State");
        var table = new TexTable(
            Tex.Text($"Validation loss of every configuration of sweep {sweep}: the lowest over the epochs (best), the epoch it was reached at, and the loss at the last epoch (final)"
                + (d.MaxSeeds > 1 ? ", mean ± sample standard deviation over the completed seeds" : "")
                + (best is not null ? "; the lowest best validation loss in bold" : "")
                + (anyUnfinished ? "; configurations not completed show — or their completed seeds only" : "") + "."),
            $"tab:{Tex.Label(sweep)}-results", new string('l', d.Factors.Count) + "rrrr" + (anyUnfinished ? "l" : ""), header)
            .Group(d.Factors.Count + 1, 3, "Validation loss");
        foreach (var c in d.Configs)
        {
            var bestLoss = Value(c.Final(s => s.BestValLoss));
            var row = new List<string>(d.Factors.Select(f => Tex.Text(c.ValueOf(f).Text)))
            {
                c.Trials[0].Data.Trial.Params is { } p ? Format.Int(p) : Tex.Text(Format.Missing),
                c == best ? $"\\textbf{{{bestLoss}}}" : bestLoss,
                Value(c.Final(s => s.BestEpoch), "0.#"),
                Value(c.Final(s => s.FinalValLoss)),
            };
            if (anyUnfinished) row.Add(Tex.Text(c.StateText.Length > 40 ? c.StateText[..39] + "…" : c.StateText));
            table.Row(row);
        }
        table.WriteTo(sb);
    }

    private static void Factors(ReportContext ctx, StringBuilder sb, string sweep)
    {
        var d = ctx.Design;
        var done = d.Configs.Where(c => c.HasResult).ToList();
        var ranked = d.Factors
            .Select(f => (Factor: f, Means: FactorEffectsSection.LevelMeans(f, done)))
            .Where(x => x.Means.Count > 1)
            .OrderByDescending(x => x.Means.Max(m => m.Mean) - x.Means.Min(m => m.Mean)).ThenBy(x => x.Factor.Path, StringComparer.Ordinal)
            .ToList();
        if (ranked.Count == 0) return;
        var table = new TexTable(
            Tex.Text($"Effect of each factor of sweep {sweep} on best validation loss: for each level, the mean over the completed configurations at that level "
                + "(and over the levels of the other factors; Configs: how many), and its difference from the factor's lowest level mean. Factors ordered by the range of their level means."
                + (done.Count < d.Configs.Count ? $" Only {done.Count} of {d.Configs.Count} configurations have completed." : "")),
            $"tab:{Tex.Label(sweep)}-factors", "llrrr", ["Factor", "Level", "Configs", "Mean", "Difference"])
            .Group(3, 2, "Best validation loss");
        foreach (var (factor, means) in ranked)
        {
            var lowest = means.Min(m => m.Mean);
            for (var i = 0; i < means.Count; i++)
                table.Row([i == 0 ? Tex.Text(factor.Label) : "", Tex.Text(means[i].Level.Text), means[i].Configs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Format.Loss(means[i].Mean), Tex.Text(Format.Delta(means[i].Mean - lowest))]);
            table.Rule();
        }
        table.WriteTo(sb);
    }

    /// <summary>
    /// For a sampled sweep, instead of level means (every drawn value would be a level): each sampled parameter, how it
    /// was drawn, and the share of the variance of the loss ranks it explains alone (<see cref="ParamImportance"/>).
    /// </summary>
    private static void SampledParams(ReportContext ctx, StringBuilder sb, string sweep, SampledSpace space)
    {
        var importance = ParamImportance.Of(space, ctx.Design);
        if (importance.Shares.Count == 0 || importance.Trials < 2) return;
        var table = new TexTable(
            Tex.Text($"Sampled parameters of sweep {sweep}, largest share first: the share of the variance of the ranks of the best validation loss of the "
                + $"{importance.Trials} completed trials that each explains alone (Spearman's ρ² for a numeric parameter, with ρ's sign; the correlation ratio η² "
                + "of the ranks for a categorical one), and what chance alone would give. " + importance.Verdict(escape: s => s)),
            $"tab:{Tex.Label(sweep)}-parameters", "llrrr", ["Parameter", "Drawn", "Statistic", "Share", "Chance"]);
        foreach (var s in importance.Shares)
            table.Row([Tex.Text(s.Param.Factor.Label), Tex.Text(s.Param.Drawn),
                s.Param.IsNumeric ? (s.Rho is { } r ? $"$\\rho = {Format.Number(r, "+0.00;-0.00")}$" : "---") : "$\\eta^2$",
                Format.Number(s.Share, "0.00"), Format.Number(s.Chance(importance.Trials), "0.00")]);
        table.WriteTo(sb);
    }

    /// <summary>"2.1234", "$2.1234 \pm 0.0123$" over several seeds, or an em dash.</summary>
    private static string Value(Stat? s, string format = "0.0000")
    {
        if (s is not { } x) return "---";
        var mean = Format.Number(x.Mean, format);
        return x.N > 1 ? $"${mean} \\pm {Format.Number(x.Sd, format)}$" : mean;
    }
}
