using System.ComponentModel;
using System.Globalization;
using System.Numerics;

namespace Orchestrator.Cli;

/// <summary>
/// Reads a numeric option (invariant culture). Text that is not a number of the option's kind
/// throws <see cref="OptionValueException"/> saying what was expected; Spectre's own converters only
/// say "Failed to convert 'abc' to Nullable`1". Use as <c>[TypeConverter(typeof(NumberOption&lt;int&gt;))]</c>.
/// </summary>
internal sealed class NumberOption<T> : TypeConverter where T : INumber<T>, IMinMaxValue<T>
{
    private static readonly bool Whole = typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IBinaryInteger<>));

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        var text = value as string ?? "";
        if (T.TryParse(text, Whole ? NumberStyles.Integer : NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return number;
        var expected = !Whole ? "a number"
            : BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? $"a whole number from {T.MinValue} to {T.MaxValue}"
            : "a whole number";
        throw new OptionValueException(text, expected);
    }
}

/// <summary>An option's value that is not of the kind the option takes.</summary>
internal sealed class OptionValueException(string value, string expected) : Exception($"expected {expected}, got '{value}'")
{
    public string Value { get; } = value;
    public string Expected { get; } = expected;
}
