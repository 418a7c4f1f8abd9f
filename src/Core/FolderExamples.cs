namespace Core;

/// <summary>For a message saying a folder was given where a file is wanted: a few of the folder's files to choose from.</summary>
internal static class FolderExamples
{
    /// <summary>
    /// ", e.g. DIR/a or DIR/b" for up to three files in <paramref name="folder"/> that <paramref name="fit"/>
    /// (every file when null), in ordinal order with those <paramref name="first"/> picks ahead of the
    /// rest; <paramref name="none"/> when no file fits.
    /// </summary>
    public static string Of(string folder, Func<string, bool>? fit = null, Func<string, bool>? first = null, string none = "")
    {
        var files = Directory.EnumerateFiles(folder).Where(fit ?? (_ => true)).Order(StringComparer.Ordinal)
            .OrderBy(f => first?.Invoke(f) == true ? 0 : 1).Take(3).ToList();
        return files.Count == 0 ? none : $", e.g. {string.Join(" or ", files)}";
    }
}
