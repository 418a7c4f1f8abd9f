using Reporting.Analysis;
using Reporting.Data;
using Reporting.Figures;

namespace Reporting.Sections;

/// <summary>What every section reads (the sweep, its design, what it sampled) and where it puts figures.</summary>
internal sealed class ReportContext(SweepData data, Design design, FigureSet figures, CancellationToken ct)
{
    public SweepData Data { get; } = data;
    public Design Design { get; } = design;
    /// <summary>The sampled parameters of a random-search sweep; null for a grid.</summary>
    public SampledSpace? Sampled { get; } = SampledSpace.Of(data, design);
    public FigureSet Figures { get; } = figures;
    public CancellationToken Ct { get; } = ct;

    /// <summary>The place of a cell type in <see cref="Design.Cells"/>: it sets the line pattern and marker fill of that cell's lines.</summary>
    public int CellIndex(string cell) => Math.Max(0, Design.Cells.ToList().IndexOf(cell));

    /// <summary>The style of a series that stands for a cell type alone (colour, marker and pattern all by cell).</summary>
    public SeriesStyle CellStyle(string cell) => Palette.Of(CellIndex(cell), CellIndex(cell));

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

    /// <summary>
    /// A line series for one configuration: colour and marker shape by its level of <paramref name="byFactor"/> (by its cell
    /// type without one), line pattern and marker fill by its cell type (<see cref="Palette"/>).
    /// </summary>
    public SeriesSpec Series(ConfigGroup config, Factor? byFactor, Curve curve, string label, bool markers)
    {
        var cell = CellIndex(config.Cell);
        var level = byFactor is null ? cell : byFactor.IndexOf(config.ValueOf(byFactor));
        return new SeriesSpec(label, curve.X, curve.Y, Palette.Of(level, cell), markers,
            markers ? curve.Sd : null); // bands on per-epoch curves only: on per-step curves they would hide the lines
    }

    /// <summary>
    /// "Colour and marker shape: hidden size; line pattern: cell type (GRU solid, LSTM dashed; LSTM markers open)." for a
    /// figure whose lines are <paramref name="byFactor"/>'s levels drawn for one or more cell types.
    /// </summary>
    public string StyleNote(Factor? byFactor) => byFactor is null
        ? $"Colour, marker and line pattern: cell type ({CellPatterns})."
        : Design.Cells.Count > 1
            ? $"Colour and marker shape: {byFactor.Label}; line pattern: cell type ({CellPatterns})."
            : $"Colour and marker shape: {byFactor.Label}.";

    /// <summary>"GRU solid, LSTM dashed; LSTM markers open": the line pattern and marker fill of each cell type.</summary>
    public string CellPatterns
    {
        get
        {
            var cells = Design.Cells;
            var patterns = string.Join(", ", cells.Select((c, i) => $"{c.ToUpperInvariant()} {Palette.PatternName(i)}"));
            var open = cells.Where((_, i) => i % 2 == 1).Select(c => c.ToUpperInvariant()).ToList();
            return patterns + (open.Count > 0 ? $"; {Format.List(open)} markers open" : "");
        }
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
