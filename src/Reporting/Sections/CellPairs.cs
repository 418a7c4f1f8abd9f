using Reporting.Analysis;

namespace Reporting.Sections;

/// <summary>A configuration run with two cell types that differ in nothing else.</summary>
internal sealed record CellPair(ConfigGroup Challenger, ConfigGroup Reference)
{
    public bool Complete => Challenger.HasResult && Reference.HasResult;
    /// <summary>Challenger minus reference best validation loss (seed means); negative: the challenger is better.</summary>
    public double? Difference => Complete ? Challenger.Final(s => s.BestValLoss)?.Mean - Reference.Final(s => s.BestValLoss)?.Mean : null;
}

/// <summary>Which cell types section 6 compares: every cell against LSTM (or, without LSTM, against the last cell type).</summary>
internal static class CellPairs
{
    public static string? Reference(Design d) => d.Cells.Count < 2 ? null : d.Cells.Contains("lstm") ? "lstm" : d.Cells[^1];

    public static IReadOnlyList<string> Challengers(Design d) => Reference(d) is { } r ? d.Cells.Where(c => c != r).ToList() : [];

    /// <summary>Pairs of <paramref name="challenger"/> and the reference cell with all other factors equal, in grid order.</summary>
    public static IReadOnlyList<CellPair> Of(Design d, string challenger)
    {
        var reference = Reference(d);
        if (reference is null) return [];
        return d.HoldFixed(d.Cell)
            .Select(g => (C: g.FirstOrDefault(c => c.Cell == challenger), R: g.FirstOrDefault(c => c.Cell == reference)))
            .Where(x => x.C is not null && x.R is not null)
            .Select(x => new CellPair(x.C!, x.R!))
            .ToList();
    }

    public static string Title(Design d) => Reference(d) is { } r
        ? $"{string.Join("/", Challengers(d).Select(c => c.ToUpperInvariant()))} versus {r.ToUpperInvariant()}"
        : "Cell types compared";
}
