using Reporting.Analysis;
using Reporting.Figures;

namespace Reporting.Sections;

/// <summary>
/// How sections 2 and 3 group curves: the first factor besides the cell type sets the line style
/// (color = cell type), and every combination of the remaining factors gets its own figure. A sampled
/// sweep, where nearly every trial is a value of its own, gets one figure of its best few configurations.
/// </summary>
internal sealed record CurveGroup(string Title, string Stem, IReadOnlyList<ConfigGroup> Configs);

internal static class CurveGroups
{
    /// <summary>How many configurations the learning-curve figures of a sampled sweep show.</summary>
    public const int SampledCurves = 6;

    public static Factor? LineFactor(ReportContext ctx) => ctx.Sampled is null ? ctx.Design.Others.FirstOrDefault() : null;

    public static IReadOnlyList<CurveGroup> Of(ReportContext ctx)
    {
        var d = ctx.Design;
        if (ctx.Sampled is not null)
        {
            var best = SampledEffectsSection.BestFirst(d.Configs).Where(c => c.CurveTrials.Count > 0).Take(SampledCurves).ToList();
            return [new CurveGroup(best.Count < d.Configs.Count ? $"the {best.Count} best configurations" : "all configurations", "best", best)];
        }
        var line = LineFactor(ctx);
        var free = line is null ? new[] { d.Cell } : [d.Cell, line];
        var held = d.Others.Where(f => f != line).ToList();
        return d.HoldFixed(free).Select(configs =>
        {
            var parts = held.Select(f => f.Describe(configs[0].ValueOf(f))).ToList();
            return new CurveGroup(parts.Count > 0 ? string.Join(", ", parts) : "all configurations",
                parts.Count > 0 ? string.Join("-", parts) : "all", configs);
        }).ToList();
    }

    /// <summary>The factors a legend names inside one group: the cell type and the line factor (every factor for a sampled sweep).</summary>
    public static IReadOnlyList<Factor> LegendFactors(ReportContext ctx) =>
        ctx.Sampled is not null ? ctx.Design.Factors : LineFactor(ctx) is { } f ? [ctx.Design.Cell, f] : [ctx.Design.Cell];

    /// <summary>The factors that get a figure per value ("One figure per …"); none for a sampled sweep.</summary>
    public static IReadOnlyList<string> GroupedBy(ReportContext ctx) =>
        ctx.Sampled is not null ? [] : ctx.Design.Others.Skip(1).Select(f => f.Label).ToList();

    /// <summary>
    /// The line of configuration <paramref name="c"/> in group <paramref name="g"/>: styled by the line factor's level
    /// (<see cref="ReportContext.Series"/>), or for a sampled sweep by its place among the group's configurations.
    /// </summary>
    public static SeriesSpec Series(ReportContext ctx, CurveGroup g, ConfigGroup c, Curve curve, string label, bool markers)
    {
        if (ctx.Sampled is null) return ctx.Series(c, LineFactor(ctx), curve, label, markers);
        var cell = ctx.CellIndex(c.Cell);
        return new SeriesSpec(label, curve.X, curve.Y, Palette.Of(IndexOf(g.Configs, c), cell), markers, markers ? curve.Sd : null);
    }

    /// <summary>The sentence that says how lines are styled.</summary>
    public static string StyleNote(ReportContext ctx) => ctx.Sampled is null
        ? ctx.StyleNote(LineFactor(ctx))
        : "The sweep was sampled, so these figures show only the configurations with the lowest best validation loss (completed first; section 5 shows every trial); "
          + "colour and marker shape: configuration, in legend order" + (ctx.Design.Cells.Count > 1 ? $"; line pattern: cell type ({ctx.CellPatterns})." : ".");

    /// <summary>"2.310 → 1.950 → 1.801" for a per-epoch curve.</summary>
    public static string Trajectory(Curve c, Func<double, string> format) =>
        c.IsEmpty ? Format.Missing : string.Join(" → ", c.Y.Select(format));

    private static int IndexOf(IReadOnlyList<ConfigGroup> configs, ConfigGroup c)
    {
        for (var i = 0; i < configs.Count; i++) if (ReferenceEquals(configs[i], c)) return i;
        return 0;
    }
}
