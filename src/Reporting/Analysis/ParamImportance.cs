using Reporting.Markdown;

namespace Reporting.Analysis;

/// <summary>One sampled parameter's share of the variance of the loss ranks (ρ² or η²), with ρ for a numeric one.</summary>
internal sealed record ParamShare(SampledParam Param, double Share, double? Rho, int Values)
{
    /// <summary>What the share is expected to be by chance alone with <paramref name="n"/> trials: 1/(n−1) for ρ², (k−1)/(n−1) for η² over k values.</summary>
    public double Chance(int n) => (Param.IsNumeric ? 1.0 : Values - 1.0) / (n - 1);

    /// <summary>"lower learning rate → lower loss" from the sign of ρ; null for a categorical parameter or ρ = 0.</summary>
    public string? Direction => Rho switch
    {
        > 0 => $"lower {Param.Factor.Label} → lower loss",
        < 0 => $"higher {Param.Factor.Label} → lower loss",
        _ => null,
    };

    /// <summary>"learning rate: ρ² = 0.62 (ρ = +0.79, lower learning rate → lower loss; chance level ≈ 0.14)" with <paramref name="n"/> trials.</summary>
    public string Describe(int n) => $"{Md.Text(Param.Factor.Label)}: {Statistic(n)}";

    /// <summary>"ρ² = 0.62 (ρ = +0.79, lower learning rate → lower loss; chance level ≈ 0.14)".</summary>
    public string Statistic(int n)
    {
        var statistic = Param.IsNumeric ? "ρ²" : "η²";
        var detail = Param.IsNumeric
            ? Rho is { } r ? $"ρ = {(r >= 0 ? "+" : "−")}{Format.Number(Math.Abs(r), "0.00")}" + (Direction is { } d ? ", " + Md.Text(d) : "") : "ρ undefined"
            : $"{Values} values";
        return $"{statistic} = {Format.Number(Share, "0.00")} ({detail}; chance level ≈ {Format.Number(Chance(n), "0.00")})";
    }
}

/// <summary>
/// "Which sampled parameter mattered most", from the data: for each sampled parameter, the share of the variance
/// of the completed trials' best-validation-loss ranks that it explains alone: Spearman's ρ² for a numeric
/// parameter (ranks are the same on a log scale), the correlation ratio η² of the ranks for a categorical one
/// (<see cref="RankStats"/>). It names a winner only with at least <see cref="MinTrials"/> completed trials, a
/// largest share above chance, and a lead of at least <see cref="Margin"/> over the next.
/// </summary>
internal sealed class ParamImportance
{
    public const int MinTrials = 6;
    public const double Margin = 0.10;

    public const string Method =
        "For each sampled parameter, the share of the variance of the completed trials' best-validation-loss ranks that it explains alone: "
        + "Spearman's ρ² for a numeric parameter (ranks of its values, which a log scale does not change), the correlation ratio η² of the loss ranks "
        + "across its values for a categorical one. 0 means no relation, 1 that the parameter alone orders the trials; ρ² sees monotone relations only. "
        + "Chance alone gives about 1/(n−1) for ρ² and (k−1)/(n−1) for η² over k values (n trials).";

    private ParamImportance(IReadOnlyList<ParamShare> shares, int trials, string? refusal)
    {
        Shares = shares;
        Trials = trials;
        Refusal = refusal;
    }

    /// <summary>Every sampled parameter's share, largest first (spec order on ties).</summary>
    public IReadOnlyList<ParamShare> Shares { get; }
    /// <summary>The completed trials with a best validation loss the shares rest on.</summary>
    public int Trials { get; }
    /// <summary>Why no parameter is named (too few trials, below chance, too close); null when <see cref="Winner"/> is set.</summary>
    public string? Refusal { get; }
    public ParamShare? Winner => Refusal is null ? Shares[0] : null;

    public static ParamImportance Of(SampledSpace space, Design design)
    {
        var done = design.Trials.Where(t => t.IsCompleted && t.Stats.BestValLoss is not null).ToList();
        var losses = done.Select(t => t.Stats.BestValLoss!.Value).ToList();
        var shares = space.Params.Select((p, i) =>
        {
            var levels = done.Select(t => t.ValueOf(p.Factor)).ToList();
            var distinct = levels.Distinct().Count();
            double share;
            double? rho = null;
            if (p.IsNumeric)
            {
                var r = RankStats.Spearman(levels.Select(l => p.X(l) ?? double.NaN).ToList(), losses);
                rho = double.IsFinite(r) ? r : null;
                share = rho is { } x ? x * x : 0;
            }
            else
            {
                var eta = RankStats.EtaSquared(levels.Select(l => l.Text).ToList(), losses);
                share = double.IsFinite(eta) ? eta : 0;
            }
            return (Share: new ParamShare(p, share, rho, distinct), Order: i);
        }).OrderByDescending(x => x.Share.Share).ThenBy(x => x.Order).Select(x => x.Share).ToList();

        return new ParamImportance(shares, done.Count, RefusalOf(shares, done.Count));
    }

    /// <summary>Why <paramref name="shares"/> (largest first) from <paramref name="n"/> completed trials name no parameter; null when the first one wins.</summary>
    internal static string? RefusalOf(IReadOnlyList<ParamShare> shares, int n)
    {
        if (shares.Count == 0) return "no sampled parameter took more than one value";
        if (n < MinTrials) return $"only {Format.Plural(n, "trial has", "trials have")} completed; it takes at least {MinTrials}";
        if (shares[0].Share <= shares[0].Chance(n))
            return $"the largest share, {Format.Number(shares[0].Share, "0.00")} for {shares[0].Param.Factor.Label}, is no more than chance alone gives "
                + $"(≈ {Format.Number(shares[0].Chance(n), "0.00")} with {n} trials)";
        if (shares.Count > 1 && shares[0].Share - shares[1].Share < Margin)
            return $"{shares[0].Param.Factor.Label} ({Format.Number(shares[0].Share, "0.00")}) and {shares[1].Param.Factor.Label} ({Format.Number(shares[1].Share, "0.00")}) "
                + $"are less than {Format.Number(Margin, "0.00")} apart, too close to tell apart with {n} trials";
        return null;
    }

    /// <summary>
    /// The one-sentence answer: the parameter that mattered most and by how much, or why there is none; names and
    /// reasons passed through <paramref name="escape"/> (default: as Markdown text).
    /// </summary>
    public string Verdict(Func<string, string>? escape = null)
    {
        var text = escape ?? Md.Text;
        if (Winner is not { } w) return $"Which sampled parameter mattered most cannot be said: {text(Refusal!)}.";
        var statistic = w.Param.IsNumeric ? "ρ²" : "η²";
        var next = Shares.Count > 1 ? $", against {Format.Number(Shares[1].Share, "0.00")} for {text(Shares[1].Param.Factor.Label)}, the next" : "";
        return $"{Format.Capitalize(text(w.Param.Factor.Label))} mattered most: it alone explains {Format.Number(w.Share, "0.00")} of the variance of the loss ranks "
            + $"({statistic}{next}; from {Format.Plural(Trials, "completed trial")})" + (w.Direction is { } d ? $"; {text(d)}" : "") + ".";
    }
}
