using System.Security.Cryptography;

namespace Core.Data;

/// <summary>sha256 of files as lower-case hex, the form the store and the configs use.</summary>
public static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The hash, read in 1 MiB pieces so that <paramref name="ct"/> (a signal) stops it between them.</summary>
    public static string Sha256(string path, CancellationToken ct)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static bool Matches(string? actual, string? expected) =>
        actual is not null && expected is not null && string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
}
