namespace TestSupport;

/// <summary>A fresh folder under the system temp folder, deleted on dispose unless KEEP_TEST_DIRS is set.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "orch-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string contents)
    {
        var path = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("KEEP_TEST_DIRS") is { Length: > 0 }) return;
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
