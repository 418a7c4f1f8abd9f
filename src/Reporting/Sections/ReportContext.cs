using Reporting.Analysis;
using Reporting.Data;
using Reporting.Figures;
using Color = ScottPlot.Color;
using Palette = Reporting.Figures.Palette;

namespace Reporting.Sections;

/// <summary>What every section reads (the sweep, its design) and where it puts figures.</summary>
internal sealed class ReportContext(SweepData data, Design design, FigureSet figures, CancellationToken ct)
{
    public SweepData Data { get; } = data;
    public Design Design { get; } = design;
    public FigureSet Figures { get; } = figures;
    public CancellationToken Ct { get; } = ct;

    public Color ColorOf(string cell) => Palette.Of(cell, Design.Cells);

    /// <summary>
    /// The trial that represents a cell type (its "main configuration"): the completed trial with the
    /// lowest best validation loss (earliest in the grid on ties); without completed trials, the one with
    /// the lowest so far; without any metrics, the cell's first trial. Null if the cell has no trials.
    /// </summary>
    public TrialView? MainTrial(string cell)
    {
        var trials = Design.Trials.Where(t => t.Cell == cell).ToList();
        if (trials.Count == 0) return null;
        var completed = trials.Where(t => t.IsCompleted && t.Stats.BestValLoss is not null).ToList();
        var pool = completed.Count > 0 ? completed : trials.Where(t => t.Stats.BestValLoss is not null).ToList();
        return pool.Count > 0
            ? pool.OrderBy(t => t.Stats.BestValLoss).ThenBy(t => t.Data.Member.Ordinal).First()
            : trials[0];
    }

    /// <summary>Why <see cref="MainTrial"/> was chosen, for the reader.</summary>
    public static string WhyMain(TrialView t) => t.IsCompleted
        ? "the completed trial with the lowest best validation loss"
        : t.Stats.BestValLoss is not null ? "no trial of this cell type has completed; the one with the lowest validation loss so far"
        : "no trial of this cell type has recorded metrics yet; its first trial";

    /// <summary>A line series for one configuration: the cell's hue, shaded, patterned and marked by the level of <paramref name="byFactor"/>.</summary>
    public SeriesSpec Series(ConfigGroup config, Factor? byFactor, Curve curve, string label, bool markers)
    {
        var baseColor = ColorOf(config.Cell);
        var (level, levels) = byFactor is null ? (0, 1) : (byFactor.IndexOf(config.ValueOf(byFactor)), byFactor.Levels.Count);
        return new SeriesSpec(label, curve.X, curve.Y, Palette.Shade(baseColor, level, levels), Palette.Pattern(level), Palette.Marker(level), markers,
            markers ? curve.Sd : null); // bands on per-epoch curves only: on per-step curves they would hide the lines
    }

    /// <summary>The sentence that explains seed means and bands, when the sweep has several seeds per configuration.</summary>
    public string SeedNote => Design.MaxSeeds > 1
        ? " With several seeds a line is their mean; on per-epoch figures the shaded band is ± one standard deviation over the seeds."
        : "";

    /// <summary>The legend label of a configuration: its description, "(mean of 3 seeds)" or "(running)" when that applies.</summary>
    public string Label(ConfigGroup config, IEnumerable<Factor> factors, Curve curve)
    {
        var parts = factors.Select(f => f.Describe(config.ValueOf(f))).ToList();
        var label = parts.Count > 0 ? string.Join(", ", parts) : config.Cell;
        if (curve.Seeds > 1) label += $" (mean of {curve.Seeds} seeds)";
        if (config.IsPartial && config.CurveTrials.Count > 0) label += $" ({config.CurveTrials[0].Data.State})";
        return label;
    }
}
