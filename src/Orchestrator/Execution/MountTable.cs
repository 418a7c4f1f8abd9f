using System.Text;

namespace Orchestrator.Execution;

/// <summary>A mounted file system: its source (device, server:/export), mount point and type, as /proc/mounts lists it.</summary>
internal sealed record Mount(string Source, string MountPoint, string Type)
{
    /// <summary>Whether this is a network (or cluster-shared) file system, where SQLite's locking and write-ahead log are not safe.</summary>
    public bool IsNetwork => MountTable.NetworkTypes.Contains(Type)
                             || (Type.StartsWith("fuse.", StringComparison.Ordinal) && MountTable.NetworkFuseTypes.Contains(Type["fuse.".Length..]));
}

/// <summary>
/// Which file system a path is on, from the kernel's mount table (/proc/mounts, Linux). Used to warn
/// about, or refuse, an SQLite database on a network file system: SQLite's WAL needs shared memory
/// and POSIX locks that NFS and its kin do not give across hosts.
/// </summary>
internal static class MountTable
{
    public const string ProcMounts = "/proc/mounts";

    /// <summary>Kernel file system types that are network or cluster file systems.</summary>
    public static readonly IReadOnlySet<string> NetworkTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "9p", "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "panfs", "pvfs2", "orangefs", "ocfs2", "gfs2", "davfs",
    };

    /// <summary>FUSE subtypes (<c>fuse.X</c>) that are network file systems.</summary>
    public static readonly IReadOnlySet<string> NetworkFuseTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "sshfs", "glusterfs", "ceph-fuse", "s3fs", "gcsfuse", "rclone", "juicefs", "davfs2", "curlftpfs", "beegfs", "lustre", "goofys", "blobfuse", "blobfuse2", "moosefs", "mfs", "seaweedfs",
    };

    /// <summary>The mount holding <paramref name="path"/> (which need not exist yet: its nearest existing folder counts), or null when the table cannot be read.</summary>
    public static Mount? Of(string path)
    {
        if (!File.Exists(ProcMounts)) return null;
        string text;
        try { text = File.ReadAllText(ProcMounts); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return Of(Resolve(path), Parse(text));
    }

    /// <summary>The mount with the longest mount point that contains <paramref name="resolvedPath"/>; the last one listed wins a tie (it is mounted over the others).</summary>
    public static Mount? Of(string resolvedPath, IReadOnlyList<Mount> mounts)
    {
        Mount? best = null;
        foreach (var m in mounts)
        {
            var point = m.MountPoint == "/" ? "/" : m.MountPoint.TrimEnd('/');
            var inside = point == "/" || resolvedPath == point || resolvedPath.StartsWith(point + "/", StringComparison.Ordinal);
            if (inside && (best is null || point.Length >= best.MountPoint.TrimEnd('/').Length)) best = m;
        }
        return best;
    }

    /// <summary>Reads /proc/mounts' lines: source, mount point, type, with the kernel's octal escapes (\040 for a space) undone.</summary>
    public static IReadOnlyList<Mount> Parse(string procMounts) =>
        procMounts.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(f => f.Length >= 3)
            .Select(f => new Mount(Unescape(f[0]), Unescape(f[1]), f[2]))
            .ToList();

    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var sb = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.Substring(i + 1, 3).All(c => c is >= '0' and <= '7'))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(field[i]);
        }
        return sb.ToString();
    }

    /// <summary>The absolute path with every symbolic link of its existing part resolved (what the kernel's table names).</summary>
    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var existing = full;
        var rest = new Stack<string>();
        while (!Directory.Exists(existing) && !File.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = "/";
        foreach (var part in existing.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var info = new FileInfo(next);
            resolved = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : next;
        }
        while (rest.Count > 0) resolved = Path.Combine(resolved, rest.Pop());
        return resolved;
    }
}
