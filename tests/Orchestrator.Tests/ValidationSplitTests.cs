using Core.Store;
using Dapper;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>Issue 17 §4: a val_fraction whose validation split is shorter than one sequence stops `run` before any trial starts, naming the fix.</summary>
public sealed class ValidationSplitTests
{
    [Fact]
    public void A_validation_split_shorter_than_seq_len_stops_run_before_any_trial_starts()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "split", ["data.val_fraction: [0.1, 0.0005]"]);
        var r = OrchestratorCli.Run(dir.Path, "run", spec, "--plain");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("data.val_fraction = 0.0005 holds out the last 10 of the 20000 characters of", r.StdErr);
        Assert.True(r.StdErr.Contains("but data.seq_len = 16 needs at least 17; use a data.val_fraction of at least 0.00085", StringComparison.Ordinal), r.StdErr);
        Assert.Contains("nothing was run", r.StdErr);
        using var c = Database.OpenReadOnly(dir.File("results/orchestrator.db")).Connect();
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM attempts"));
    }
}
