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

    public static bool Matches(string? actual, string? expected) =>
        actual is not null && expected is not null && string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
}
