using Core.Config;

namespace Reporting.Analysis;

/// <summary>A config field the sweep varies (or the cell type, always), with its levels in display order.</summary>
internal sealed class Factor
{
    public Factor(string path, IReadOnlyList<Level> levels)
    {
        Path = path;
        Levels = levels;
        (Label, Short, Unit) = Parameters.Describe(path);
    }

    public string Path { get; }
    public IReadOnlyList<Level> Levels { get; }
    /// <summary>"hidden size".</summary>
    public string Label { get; }
    /// <summary>"hidden".</summary>
    public string Short { get; }
    public string Unit { get; }
    public bool IsCell => Path == Parameters.Cell;

    /// <summary>"hidden 256", or just "gru" for the cell type.</summary>
    public string Describe(Level level) => IsCell ? level.Text : $"{Short} {level.Text}";

    /// <summary>"hidden size (units)" for an axis.</summary>
    public string AxisLabel => Unit.Length > 0 ? $"{Label} ({Unit})" : Label;

    public int IndexOf(Level level)
    {
        for (var i = 0; i < Levels.Count; i++) if (Levels[i] == level) return i;
        return -1;
    }
}
