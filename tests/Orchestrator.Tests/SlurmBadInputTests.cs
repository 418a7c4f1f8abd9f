using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// What a Slurm run refuses before recording anything, each with exit 2 and a message naming the
/// setting and the fix: no sbatch on this machine, a partition the cluster does not have (sbatch's
/// own words), an SQLite database on a network file system (a real sshfs mount, in a mount
/// namespace of its own; a local run only warns about it).
/// </summary>
[Collection("sweeps")]
public sealed class SlurmBadInputTests
{
    [Fact]
    public void The_slurm_executor_on_a_machine_without_sbatch_says_so_and_records_nothing()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "nosbatch", ["model.cell: [gru]"], execution: SlurmCluster.Execution());
        var psi = OrchestratorCli.StartInfo(dir.Path, new Dictionary<string, string> { ["PATH"] = dir.File("bin") }, ["run", spec]);
        psi.FileName = DotnetHost; // found by its full path: the PATH it runs with has no dotnet (and no sbatch)

        var r = ChildProcess.Run(psi, OrchestratorCli.DefaultTimeout);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"error: the slurm executor (execution.executor in {spec}) submits workers with sbatch, but sbatch, squeue, scancel, scontrol are not on the PATH ({dir.File("bin")})", r.StdErr);
        Assert.Contains("deploy/slurm/local-cluster.sh", r.StdErr);
        Assert.Contains("--executor local", r.StdErr);
        Assert.False(Directory.Exists(dir.File("results")), "nothing may be recorded");

        // --executor slurm on the command line is named as the setting instead.
        var local = TinySweep.Write(dir, "nosbatch", ["model.cell: [gru]"], file: "local.yaml");
        psi = OrchestratorCli.StartInfo(dir.Path, new Dictionary<string, string> { ["PATH"] = dir.File("bin") }, ["run", local, "--executor", "slurm"]);
        psi.FileName = DotnetHost;
        r = ChildProcess.Run(psi, OrchestratorCli.DefaultTimeout);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: the slurm executor (--executor slurm) submits workers with sbatch", r.StdErr);
        Assert.False(Directory.Exists(dir.File("results")), "nothing may be recorded");
    }

    [Trait("Needs", "Slurm")]
    [Fact]
    public void An_unknown_partition_is_refused_in_sbatchs_own_words_before_anything_is_recorded()
    {
        SlurmCluster.RequireRunning();
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "nopartition", ["model.cell: [gru]"], execution: SlurmCluster.Execution(partition: "nosuchpartition"));

        var r = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: execution.slurm.partition: sbatch refused the job: sbatch: error: invalid partition specified: nosuchpartition", r.StdErr);
        Assert.Contains("name a partition of this cluster (this cluster has: debug)", r.StdErr);
        Assert.Contains(spec, r.StdErr);
        Assert.Contains("nothing was submitted or recorded", r.StdErr);
        Assert.False(Directory.Exists(dir.File("results")), "nothing may be recorded");
    }

    [Trait("Needs", "sshfs")]
    [Fact]
    public void An_sqlite_database_on_a_network_file_system_is_refused_for_slurm_and_warned_about_for_a_local_run()
    {
        var sftpServer = new[] { "/usr/lib/openssh/sftp-server", "/usr/lib/sftp-server" }.FirstOrDefault(File.Exists);
        if (sftpServer is null || !File.Exists("/usr/bin/sshfs"))
            throw new Xunit.Sdk.XunitException("this test mounts a real network file system with sshfs: install sshfs and openssh-sftp-server (apt-get install sshfs openssh-sftp-server; .ci/run does)");
        using var dir = new TempDir();
        var export = Directory.CreateDirectory(dir.File("export")).FullName;
        var mount = Directory.CreateDirectory(dir.File("mnt")).FullName;
        var db = Path.Combine(mount, "results", "orchestrator.db");
        var slurmSpec = TinySweep.Write(dir, "onnfs", ["model.cell: [gru]"], execution: SlurmCluster.Execution());

        var slurm = OnSshfs(dir, sftpServer, export, mount, "run", slurmSpec, "--db", db);

        Assert.True(slurm.ExitCode == 2, slurm.ToString());
        Assert.Contains($"error: the SQLite database {db} is on a network file system (fuse.sshfs localhost:{export} mounted at {mount})", slurm.StdErr);
        Assert.Contains("keep it on a local disk (--db /local/path/orchestrator.db) or, for workers on several hosts, use PostgreSQL", slurm.StdErr);
        Assert.Contains("With the slurm executor that is refused: nothing was submitted or recorded", slurm.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(export));

        // A local run is one host: it goes ahead, with the warning.
        var local = OnSshfs(dir, sftpServer, export, mount, "run", slurmSpec, "--executor", "local", "--db", db);
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Contains($"warning: the SQLite database {db} is on a network file system (fuse.sshfs", local.StdErr);
        Assert.True(File.Exists(Path.Combine(export, "results", "orchestrator.db")));
    }

    [Fact]
    public void Detach_without_the_slurm_executor_is_bad_input()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "detached", ["model.cell: [gru]"]);
        var r = OrchestratorCli.Run(dir.Path, "run", spec, "--detach");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: --detach works with the slurm executor only (the executor here is local); add --executor slurm, or leave --detach out", r.StdErr);
        Assert.False(Directory.Exists(dir.File("results")), "nothing may be recorded");
    }

    [Fact]
    public void A_worker_whose_database_this_node_cannot_see_says_so_and_creates_none()
    {
        using var dir = new TempDir();
        var db = dir.File("results/orchestrator.db");
        var r = OrchestratorCli.Run(dir.Path, "worker", "--db", db, "--sweep", "hw3");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"error: no database at {db} on {Environment.MachineName}", r.StdErr);
        Assert.Contains("with SQLite the workers must run on that host (a one-node cluster); across several nodes use PostgreSQL", r.StdErr);
        Assert.False(File.Exists(db));

        // A database without that sweep: the names it has.
        var spec = TinySweep.Write(dir, "other", ["model.cell: [gru]"]);
        Orchestrator.Planning.SweepPlan.Register(Core.Store.Database.Open(db), Core.Spec.SpecLoader.Load(spec));
        r = OrchestratorCli.Run(dir.Path, "worker", "--db", db, "--sweep", "hw3");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal($"error: no sweep named 'hw3' in {db}; sweeps there: other", r.StdErr.Trim());
    }

    [Fact]
    public void Cancel_of_a_sweep_that_ran_locally_has_nothing_to_cancel()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "local", ["model.cell: [gru]"]);
        Orchestrator.Planning.SweepPlan.Register(Core.Store.Database.Open(dir.File("results/orchestrator.db")), Core.Spec.SpecLoader.Load(spec));

        var r = OrchestratorCli.Run(dir.Path, "cancel", "local");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sweep local has no Slurm jobs (it ran with the local executor): nothing to cancel", r.StdOut);
        var unknown = OrchestratorCli.Run(dir.Path, "cancel", "nosuch");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
    }

    /// <summary>
    /// Runs the orchestrator in a mount namespace of its own where <paramref name="mount"/> is an
    /// sshfs mount of <paramref name="export"/> (served by sftp-server over a pipe, no ssh daemon).
    /// </summary>
    private static ProcessResult OnSshfs(TempDir dir, string sftpServer, string export, string mount, params string[] args)
    {
        var psi = OrchestratorCli.StartInfo(dir.Path, null, args);
        var dotnet = psi.ArgumentList.ToList();
        psi.FileName = "unshare";
        psi.ArgumentList.Clear();
        const string script = """
            server=$1; export=$2; mnt=$3; shift 3
            fifo=$(mktemp -u); mkfifo "$fifo"
            "$server" < "$fifo" 2>/dev/null | sshfs -f -o passive "localhost:$export" "$mnt" > "$fifo" 2>/dev/null &
            i=0
            until grep -q " $mnt fuse.sshfs " /proc/mounts; do
              i=$((i + 1)); [ "$i" -gt 100 ] && { echo "sshfs did not mount $mnt" >&2; exit 99; }; sleep 0.1
            done
            "$@"; rc=$?
            fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt"
            wait; rm -f "$fifo"
            exit $rc
            """;
        foreach (var a in (string[])["-m", "--propagation", "private", "bash", "-c", script, "bash", sftpServer, export, mount, "dotnet"]) psi.ArgumentList.Add(a);
        foreach (var a in dotnet) psi.ArgumentList.Add(a);
        return ChildProcess.Run(psi, OrchestratorCli.DefaultTimeout);
    }

    /// <summary>The dotnet executable, by its full path (from this process's PATH).</summary>
    private static string DotnetHost =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("dotnet is not on the PATH");
}
