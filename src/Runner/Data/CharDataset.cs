using System.Globalization;
using System.Text;
using Core.Config;

namespace Runner.Data;

/// <summary>
/// The corpus as tokens: the vocabulary (sorted distinct characters of the corpus file), the
/// training split and the validation split (the tail <c>val_fraction</c> of the corpus, or the
/// file at <c>val_path</c>).
/// </summary>
internal sealed class CharDataset
{
    private CharDataset(Vocabulary vocab, long[] train, long[] val)
    {
        Vocab = vocab;
        Train = train;
        Val = val;
    }

    public Vocabulary Vocab { get; }
    public long[] Train { get; }
    public long[] Val { get; }

    /// <summary>Reads and splits the corpus; throws <see cref="BadInputException"/> when it is too short to train on.</summary>
    public static CharDataset Load(string corpusPath, DataConfig data)
    {
        var text = ReadText(corpusPath, "the corpus");
        var need = data.SeqLen + 1;
        if (text.Length < need)
            throw new BadInputException($"the corpus {corpusPath} has {text.Length} characters, but data.seq_len = {data.SeqLen} needs at least {need}; " +
                                        "use a longer corpus or a smaller data.seq_len");
        var vocab = Vocabulary.Of(text);

        string trainText, valText, valSource;
        if (data.ValPath is { } valPath)
        {
            var full = Path.GetFullPath(valPath);
            valText = ReadText(full, "the validation file (data.val_path)");
            trainText = text;
            valSource = $"the validation file {full}";
            var missing = vocab.Missing(valText);
            if (missing.Count > 0)
                throw new BadInputException($"{valSource} has characters the corpus lacks: {string.Join(", ", missing.Select(c => $"'{Vocabulary.Printable(c)}'"))}; " +
                                            "the vocabulary comes from the corpus, so the validation text must use only its characters");
        }
        else
        {
            var valLength = (int)Math.Floor(text.Length * data.ValFraction);
            trainText = text[..^valLength];
            valText = text[^valLength..];
            valSource = $"the validation split (data.val_fraction = {data.ValFraction.ToString(CultureInfo.InvariantCulture)}: the last {valLength} of the {text.Length} characters of {corpusPath})";
            if (trainText.Length < need)
                throw new BadInputException($"the training split of {corpusPath} has {trainText.Length} characters after holding out data.val_fraction = {data.ValFraction.ToString(CultureInfo.InvariantCulture)}, " +
                                            $"but data.seq_len = {data.SeqLen} needs at least {need}; use a longer corpus, a smaller data.seq_len or a smaller data.val_fraction");
        }
        if (valText.Length < need)
            throw new BadInputException($"{valSource} has {valText.Length} characters, but data.seq_len = {data.SeqLen} needs at least {need}; " +
                                        (data.ValPath is null
                                            ? $"use a data.val_fraction of at least {MinFraction(need, text.Length).ToString(CultureInfo.InvariantCulture)} or a smaller data.seq_len"
                                            : "use more validation text or a smaller data.seq_len"));
        return new CharDataset(vocab, vocab.Encode(trainText), vocab.Encode(valText));
    }

    /// <summary>The smallest fraction (rounded up, at most 4 significant digits) whose tail of <paramref name="total"/> characters holds <paramref name="need"/>.</summary>
    private static double MinFraction(int need, int total)
    {
        var exact = (double)need / total;
        var scale = Math.Pow(10, 3 - (int)Math.Floor(Math.Log10(exact)));
        var steps = Math.Ceiling(exact * scale);
        while (Math.Floor(total * (steps / scale)) < need) steps++;
        return steps / scale;
    }

    private static string ReadText(string path, string what)
    {
        if (Directory.Exists(path)) throw new BadInputException($"{what} {path} is a folder; give the text file itself");
        if (!File.Exists(path)) throw new BadInputException($"{what} {path} does not exist");
        var text = File.ReadAllText(path, Encoding.UTF8);
        if (text.Length == 0) throw new BadInputException($"{what} {path} is empty");
        return text;
    }
}
