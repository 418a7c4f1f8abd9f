using ScottPlot;

namespace Reporting.Figures;

/// <summary>
/// Where the panels of a figure go, decided by their number so that no slot stays empty: up to three
/// side by side, four as 2 × 2, more in rows of at most three whose counts differ by at most one
/// (5 = 3 + 2, 7 = 3 + 2 + 2). Every row spans the full width, so a shorter row has wider panels
/// rather than a blank slot.
/// </summary>
internal sealed class FigureLayout : IMultiplotLayout
{
    private const int MaxColumns = 3;

    private readonly IReadOnlyList<int> _extra;

    /// <summary>
    /// <paramref name="panels"/> panels; <paramref name="extra"/> gives a panel more pixels across (a legend beside its
    /// plot area), and the figure is widened by the most any row adds, so plot areas keep their size.
    /// </summary>
    public FigureLayout(int panels, IReadOnlyList<int>? extra = null) : this(RowCounts(Math.Max(1, panels)), extra)
    {
    }

    /// <summary>One panel per row, each the full width (dot charts whose category labels need the room).</summary>
    public static FigureLayout Stacked(int panels) => new(Enumerable.Repeat(1, Math.Max(1, panels)).ToList(), null);

    private FigureLayout(IReadOnlyList<int> rows, IReadOnlyList<int>? extra)
    {
        Rows = rows;
        Columns = Rows.Max();
        _extra = extra ?? [];
        var (width, height) = Columns switch
        {
            1 => (900, Rows.Count == 1 ? 560 : 440 * Rows.Count),
            2 => (1100, 470 * Rows.Count),
            _ => (1500, 480 * Rows.Count),
        };
        var index = 0;
        var widest = 0;
        foreach (var count in Rows)
        {
            widest = Math.Max(widest, Enumerable.Range(index, count).Sum(Extra));
            index += count;
        }
        (Width, Height) = (width + widest, height);
    }

    private int Extra(int panel) => panel < _extra.Count ? _extra[panel] : 0;

    /// <summary>Panels per row, top to bottom.</summary>
    public IReadOnlyList<int> Rows { get; }
    public int Columns { get; }
    /// <summary>Pixel size of the figure: 900 wide for one column, 1100 for two, 1500 for three.</summary>
    public int Width { get; }
    public int Height { get; }

    internal static IReadOnlyList<int> RowCounts(int panels)
    {
        if (panels <= MaxColumns) return [panels];
        if (panels == 4) return [2, 2];
        var rows = (panels + MaxColumns - 1) / MaxColumns;
        var counts = new int[rows];
        for (var i = 0; i < panels; i++) counts[i % rows]++;
        return counts;
    }

    public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect)
    {
        var rects = new List<PixelRect>();
        var rowHeight = figureRect.Height / Rows.Count;
        var index = 0;
        for (var r = 0; r < Rows.Count; r++)
        {
            var extras = Enumerable.Range(index, Rows[r]).Select(Extra).ToList();
            var share = (figureRect.Width - extras.Sum()) / Rows[r];
            var top = figureRect.Top + r * rowHeight;
            var left = figureRect.Left;
            foreach (var extra in extras)
            {
                rects.Add(new PixelRect(left, left + share + extra, top + rowHeight, top));
                left += share + extra;
            }
            index += Rows[r];
        }
        return rects.Take(subplots.Count).ToArray();
    }
}
