using System.Runtime.InteropServices;

namespace Core.Data;

/// <summary>What a path is, after symbolic links: a regular file, a folder, or something else.</summary>
public enum FileKindOf
{
    Missing,
    Regular,
    Folder,
    /// <summary>A FIFO, a device (/dev/zero), a socket: reading it may never end.</summary>
    Special,
}

/// <summary>
/// Tells a regular file from a FIFO or a device without opening it (opening a FIFO blocks until a
/// writer comes). .NET's file APIs do not say; on Linux this asks <c>statx(2)</c>, whose record has
/// one layout on every architecture.
/// </summary>
public static class FileKind
{
    public static FileKindOf Of(string path)
    {
        if (Directory.Exists(path)) return FileKindOf.Folder;
        if (!File.Exists(path)) return FileKindOf.Missing;
        if (!OperatingSystem.IsLinux()) return FileKindOf.Regular;
        var buffer = new byte[256];
        const int atFdCwd = -100, statxType = 1, modeOffset = 28;
        const int typeMask = 0xF000, regular = 0x8000;
        if (Statx(atFdCwd, path, 0, statxType, buffer) != 0) return FileKindOf.Missing;
        var mode = BitConverter.ToUInt16(buffer, modeOffset);
        return (mode & typeMask) == regular ? FileKindOf.Regular : FileKindOf.Special;
    }

    /// <summary>A phrase for a path that is not a regular file: "a FIFO, device or socket", "a folder", "missing".</summary>
    public static string Describe(FileKindOf kind) => kind switch
    {
        FileKindOf.Folder => "a folder",
        FileKindOf.Special => "not a regular file (a FIFO, a device such as /dev/zero, or a socket)",
        FileKindOf.Missing => "not there",
        _ => "a regular file",
    };

    [DllImport("libc", EntryPoint = "statx")]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
