namespace Reporting.Analysis;

/// <summary>One value of a config field: numbers sort numerically, text ordinally; Text is how the config spells it.</summary>
internal readonly record struct Level(string Text, double? Number) : IComparable<Level>
{
    public int CompareTo(Level other) => (Number, other.Number) switch
    {
        ({ } a, { } b) => a != b ? a.CompareTo(b) : string.CompareOrdinal(Text, other.Text),
        ({ }, null) => -1,
        (null, { }) => 1,
        _ => string.CompareOrdinal(Text, other.Text),
    };

    public override string ToString() => Text;
}
