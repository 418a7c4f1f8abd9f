namespace Core.Data;

/// <summary>A corpus file ready to read: its absolute path, its sha256 and whether this run downloaded it.</summary>
public sealed record CorpusFile(string Path, string Sha256, bool Downloaded);
