using System.Globalization;
using Core.Config;

namespace Core.Data;

/// <summary>
/// Whether a corpus of a known length leaves a validation split (its tail <c>data.val_fraction</c>)
/// long enough for one sequence of <c>data.seq_len</c>: checked by <c>run</c> when the corpus is
/// ready, before any trial starts, rather than by each Runner when its trial has begun.
/// </summary>
public static class CorpusSplit
{
    /// <summary>Null when the split is long enough (or a separate data.val_path is used); otherwise what is wrong and the fix.</summary>
    public static string? Problem(string corpusPath, int corpusChars, DataConfig data)
    {
        if (data.ValPath is not null) return null;
        var need = data.SeqLen + 1;
        var valLength = (int)Math.Floor(corpusChars * data.ValFraction);
        if (valLength >= need) return null;
        var fraction = data.ValFraction.ToString("0.##########", CultureInfo.InvariantCulture);
        var least = Least(need, corpusChars).ToString("0.##########", CultureInfo.InvariantCulture);
        return $"data.val_fraction = {fraction} holds out the last {valLength} of the {corpusChars} characters of {corpusPath} for validation, " +
               $"but data.seq_len = {data.SeqLen} needs at least {need}; use a data.val_fraction of at least {least}, a smaller data.seq_len, or a longer corpus";
    }

    /// <summary>The smallest fraction of two significant digits whose tail of <paramref name="total"/> characters holds <paramref name="need"/>.</summary>
    private static double Least(int need, int total)
    {
        var exact = Math.Min(1.0, (double)need / total);
        var scale = Math.Pow(10, 1 - (int)Math.Floor(Math.Log10(exact)));
        var steps = Math.Ceiling(exact * scale - 1e-9);
        while (Math.Floor(total * (steps / scale)) < need && steps < scale) steps++;
        return steps / scale;
    }
}
