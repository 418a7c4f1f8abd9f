using Orchestrator.Execution;

namespace Orchestrator.Tests;

/// <summary>Reading the kernel's mount table: which file system a database path is on, and whether that is a network one.</summary>
public sealed class MountTableTests
{
    // Lines in /proc/mounts' own format (source, mount point with octal escapes, type, options, 0 0).
    private const string Mounts = """
        /dev/vda / ext4 rw,relatime 0 0
        proc /proc proc rw,relatime 0 0
        nfs-server:/export/home /home nfs4 rw,relatime,vers=4.2 0 0
        /dev/vdb /home/scratch xfs rw,relatime 0 0
        //files/share /mnt/my\040share cifs rw,relatime 0 0
        alice@login:/data /mnt/sshfs fuse.sshfs rw,nosuid,nodev 0 0
        /dev/fuse /mnt/local-fuse fuse.bindfs rw 0 0
        lustre@o2ib:/scratch /lustre lustre rw 0 0
        """;

    [Theory]
    [InlineData("/home/alice/results/orchestrator.db", "/home", "nfs4", true)]
    [InlineData("/home/scratch/results/orchestrator.db", "/home/scratch", "xfs", false)] // mounted inside the NFS home: local
    [InlineData("/home/scratchpad/orchestrator.db", "/home", "nfs4", true)] // a sibling that only shares a prefix
    [InlineData("/mnt/my share/orchestrator.db", "/mnt/my share", "cifs", true)]
    [InlineData("/mnt/sshfs/results/orchestrator.db", "/mnt/sshfs", "fuse.sshfs", true)]
    [InlineData("/mnt/local-fuse/orchestrator.db", "/mnt/local-fuse", "fuse.bindfs", false)]
    [InlineData("/lustre/proj/orchestrator.db", "/lustre", "lustre", true)]
    [InlineData("/var/results/orchestrator.db", "/", "ext4", false)]
    public void A_path_is_on_the_mount_with_the_longest_mount_point_that_holds_it(string path, string mountPoint, string type, bool network)
    {
        var mount = MountTable.Of(path, MountTable.Parse(Mounts));

        Assert.NotNull(mount);
        Assert.Equal((mountPoint, type, network), (mount.MountPoint, mount.Type, mount.IsNetwork));
    }

    [Fact]
    public void The_last_of_two_mounts_on_one_point_wins_it_is_on_top()
    {
        var mounts = MountTable.Parse("/dev/vda / ext4 rw 0 0\nserver:/x /data nfs rw 0 0\n/dev/vdc /data ext4 rw 0 0\n");
        Assert.Equal("ext4", MountTable.Of("/data/orchestrator.db", mounts)!.Type);
    }

    [Fact]
    public void This_machines_own_table_is_read_and_its_temp_folder_is_local()
    {
        var mount = MountTable.Of(Path.Combine(Path.GetTempPath(), "not-yet", "orchestrator.db"));
        Assert.NotNull(mount);
        Assert.False(mount.IsNetwork, $"{Path.GetTempPath()} is on {mount}");
    }
}
