using System.Text;

namespace TestSupport;

/// <summary>Small generated corpora for tests that must not depend on the real one.</summary>
public static class Corpora
{
    /// <summary>
    /// Deterministic pseudo-English text of about <paramref name="chars"/> characters from a small
    /// vocabulary, with enough structure ("people" recurs) that a tiny model's loss visibly falls.
    /// </summary>
    public static string Generate(int chars = 20_000, int seed = 7)
    {
        string[] words = ["the", "people", "of", "rome", "speak", "peace", "and", "good", "night", "to", "all", "my", "lord", "juliet", "romeo"];
        var random = new Random(seed);
        var sb = new StringBuilder(chars + 16);
        while (sb.Length < chars)
        {
            var speaker = random.Next(3) switch { 0 => "JULIET", 1 => "ROMEO", _ => "CITIZEN" };
            sb.Append(speaker).Append(":\n");
            var n = 4 + random.Next(8);
            for (var i = 0; i < n; i++) sb.Append(i == 0 ? "" : " ").Append(words[random.Next(words.Length)]);
            sb.Append(".\n\n");
        }
        return sb.ToString(0, chars);
    }
}
