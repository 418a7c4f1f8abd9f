using System.Text.RegularExpressions;

namespace Core.Spec;

/// <summary>
/// What a sweep's name may be. It keys the sweep in the store, names its report folder
/// (<c>results/&lt;name&gt;/</c>) and is typed on command lines (<c>status NAME</c>), so it is
/// checked once, here, when the spec is read: short, and of characters every file system and shell
/// takes as they are.
/// </summary>
internal static partial class SweepName
{
    public const int MaxLength = 100;

    /// <summary>Null when <paramref name="name"/> is usable; otherwise what is wrong with it and what would be right.</summary>
    public static string? Problem(string name)
    {
        if (name.Length > MaxLength)
            return $"is {name.Length} characters long; use at most {MaxLength} (it names the report folder)";
        if (!Pattern().IsMatch(name))
            return $"'{name}' is not a usable sweep name; use ASCII letters (a-z, A-Z), digits, '-', '_' or '.', starting with an ASCII letter, digit or '_' (it names the report folder)";
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex Pattern();
}
