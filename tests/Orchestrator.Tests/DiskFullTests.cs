using System.Diagnostics;
using Core.Config;
using Core.Store;
using Orchestrator.Cli;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// A disk that fills up under the SQLite store (issue 17 §4): a real small file system (a 4 MB tmpfs,
/// mounted by root), filled to the last byte. The write that meets it fails with a message that
/// names the database, the file system and what to free, and exit 3; what was recorded stays, and
/// once there is room the same write succeeds (a rerun resumes).
/// </summary>
[Trait("Needs", "root")]
public sealed class DiskFullTests
{
    [Fact]
    public void A_full_disk_names_the_file_system_and_what_to_free_and_the_store_goes_on_once_there_is_room()
    {
        using var dir = new TempDir("disk-full");
        var mount = Directory.CreateDirectory(dir.File("mnt")).FullName;
        Root("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount);
        try
        {
            var path = Path.Combine(mount, "results", "orchestrator.db");
            var db = Database.Open(path);
            var config = new TrialConfig();
            var id = config.Id();
            new TrialRepository(db).Ensure(id, config.ToCanonicalJson());
            var results = new ResultRepository(db);
            results.WriteMetrics([new MetricRow(id, MetricNames.TrainLoss, 1, null, 4.2, 1)]);
            var filler = Path.Combine(mount, "filler");
            Fill(filler);
            var batch = Enumerable.Range(2, 20_000).Select(s => new MetricRow(id, MetricNames.TrainLoss, s, null, 1.0 / s, s)).ToList();

            var full = Assert.Throws<DiskFullException>(() => results.WriteMetrics(batch));
            var error = CliErrors.Describe(full, ["run", "sweep.yaml"]);

            Assert.Equal(CliExitCode.Error, error.ExitCode);
            Assert.StartsWith($"the disk holding the database {path} is full (SQLite Error 13: 'database or disk is full'", error.Message);
            Assert.Contains($"): the file system mounted at {mount} (tmpfs, ", error.Message);
            Assert.Contains($"MB free now) has no room left. Free space there (checkpoints of sweeps you no longer need under {Path.Combine(mount, "results", "checkpoints")}", error.Message);
            Assert.EndsWith("then run the same command again: it resumes every unfinished trial from its last checkpoint; nothing recorded is lost", error.Message);
            Assert.Equal([1L], results.Metrics(id).Select(m => m.Step)); // kept; the failed batch left nothing half-written

            File.Delete(filler);
            results.WriteMetrics(batch);
            Assert.Equal(20_001, results.Metrics(id).Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Root("umount", "-l", mount);
        }
    }

    /// <summary>Writes <paramref name="file"/> until the file system has no byte left.</summary>
    private static void Fill(string file)
    {
        var chunk = new byte[64 * 1024];
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) stream.Write(chunk);
        }
        catch (IOException)
        {
            // full; write what still fits, byte by byte
            try { while (true) stream.Write(chunk, 0, 1); } catch (IOException) { }
        }
    }

    /// <summary>Runs a command as root (directly, or through sudo without a password).</summary>
    private static void Root(string program, params string[] args)
    {
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asRoot ? program : "sudo")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (!asRoot) foreach (var a in new[] { "-n", program }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var r = ChildProcess.Run(psi, TimeSpan.FromMinutes(1));
        if (r.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"this test mounts a small tmpfs and needs root (or sudo without a password): {program} {string.Join(' ', args)}: {r}");
    }
}
