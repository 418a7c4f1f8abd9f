using System.Buffers.Binary;

namespace Reporting.Tests.Support;

/// <summary>What a PNG file says about itself: the signature and the IHDR chunk's size.</summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the IHDR chunk; throws if the bytes are not a PNG that starts with IHDR.</summary>
    public static (int Width, int Height) Size(byte[] bytes)
    {
        if (bytes.Length < 33 || !bytes.AsSpan(0, 8).SequenceEqual(Signature)) throw new InvalidDataException("not a PNG signature");
        if (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) != 13 || System.Text.Encoding.ASCII.GetString(bytes, 12, 4) != "IHDR")
            throw new InvalidDataException("the first chunk is not a 13-byte IHDR");
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
