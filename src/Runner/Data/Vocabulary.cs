namespace Runner.Data;

/// <summary>The sorted distinct characters of the corpus; a character's index is its token id.</summary>
public sealed class Vocabulary
{
    private readonly Dictionary<char, int> _index;

    public Vocabulary(string chars)
    {
        Chars = chars;
        _index = new Dictionary<char, int>(chars.Length);
        for (var i = 0; i < chars.Length; i++)
            if (!_index.TryAdd(chars[i], i)) throw new ArgumentException($"vocabulary lists '{Printable(chars[i])}' twice", nameof(chars));
    }

    public static Vocabulary Of(string text) => new(new string(text.Distinct().Order().ToArray()));

    /// <summary>All characters in token order, as stored in checkpoints.</summary>
    public string Chars { get; }
    public int Size => Chars.Length;
    public char this[long token] => Chars[(int)token];

    public bool Contains(char c) => _index.ContainsKey(c);

    /// <summary>The distinct characters of <paramref name="text"/> the vocabulary lacks, in order of first appearance.</summary>
    public IReadOnlyList<char> Missing(string text) => text.Where(c => !_index.ContainsKey(c)).Distinct().ToList();

    public long[] Encode(string text)
    {
        var tokens = new long[text.Length];
        for (var i = 0; i < text.Length; i++)
            tokens[i] = _index.TryGetValue(text[i], out var t) ? t : throw new ArgumentException($"'{Printable(text[i])}' is not in the vocabulary", nameof(text));
        return tokens;
    }

    public string Decode(IEnumerable<long> tokens) => new(tokens.Select(t => Chars[(int)t]).ToArray());

    /// <summary>A character as a person can read it in a message: 'a', '\n', 'U+00E9 é'.</summary>
    public static string Printable(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ when char.IsControl(c) || char.IsWhiteSpace(c) && c != ' ' => $"U+{(int)c:X4}",
        _ when c > 127 => $"{c} (U+{(int)c:X4})",
        _ => c.ToString(),
    };

    /// <summary>Throws <see cref="BadInputException"/> naming the characters of <paramref name="text"/> the vocabulary lacks.</summary>
    public void Require(string text, string what)
    {
        var missing = Missing(text);
        if (missing.Count == 0) return;
        throw new BadInputException(
            $"{what} \"{text}\" has {(missing.Count == 1 ? "a character" : "characters")} the model's vocabulary lacks: " +
            $"{string.Join(", ", missing.Select(c => $"'{Printable(c)}'"))}; use only characters of the corpus " +
            $"(its {Size} characters: {Preview()})");
    }

    private string Preview() => string.Concat(Chars.Take(80).Select(Printable)) + (Size > 80 ? "…" : "");
}
