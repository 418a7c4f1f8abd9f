namespace Runner.Data;

/// <summary>The sorted distinct characters of the corpus; a character's index is its token id.</summary>
internal sealed class Vocabulary
{
    /// <summary>Each character's token, -1 for one not in the vocabulary: a table, since a corpus is encoded a character at a time.</summary>
    private readonly int[] _index;

    public Vocabulary(string chars)
    {
        Chars = chars;
        _index = new int[char.MaxValue + 1];
        Array.Fill(_index, -1);
        for (var i = 0; i < chars.Length; i++)
        {
            if (_index[chars[i]] >= 0) throw new ArgumentException($"vocabulary lists '{Printable(chars[i])}' twice", nameof(chars));
            _index[chars[i]] = i;
        }
    }

    /// <summary>The distinct characters of <paramref name="text"/> in ordinal order (one pass over a table: a corpus is millions of characters).</summary>
    public static Vocabulary Of(string text)
    {
        var seen = new bool[char.MaxValue + 1];
        foreach (var c in text) seen[c] = true;
        var chars = new List<char>();
        for (var c = 0; c <= char.MaxValue; c++)
            if (seen[c]) chars.Add((char)c);
        return new(new string(chars.ToArray()));
    }

    /// <summary>All characters in token order, as stored in checkpoints.</summary>
    public string Chars { get; }
    public int Size => Chars.Length;
    public char this[long token] => Chars[(int)token];

    public bool Contains(char c) => _index[c] >= 0;

    /// <summary>The distinct characters of <paramref name="text"/> the vocabulary lacks, in order of first appearance.</summary>
    public IReadOnlyList<char> Missing(string text) => text.Where(c => !Contains(c)).Distinct().ToList();

    public long[] Encode(string text)
    {
        var tokens = new long[text.Length];
        for (var i = 0; i < text.Length; i++)
            tokens[i] = _index[text[i]] is var t and >= 0 ? t : throw new ArgumentException($"'{Printable(text[i])}' is not in the vocabulary", nameof(text));
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
