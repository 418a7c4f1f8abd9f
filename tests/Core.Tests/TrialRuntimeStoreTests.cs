using Core.Config;
using Core.Store;
using TestSupport;

namespace Core.Tests;

public sealed class SqliteTrialRuntimeStoreTests() : TrialRuntimeStoreTests(Backend.Sqlite);

[Trait("Needs", "PostgreSQL")]
public sealed class PostgresTrialRuntimeStoreTests() : TrialRuntimeStoreTests(Backend.Postgres);

/// <summary>Where a trial runs, recorded by its Runner: on the trial, and CUDA_VISIBLE_DEVICES on its attempt. On both engines.</summary>
public abstract class TrialRuntimeStoreTests : IDisposable
{
    private readonly TestStore store;
    private readonly TrialRepository trials;

    protected TrialRuntimeStoreTests(Backend backend)
    {
        store = TestStore.Create(backend, "runtime");
        var db = store.Open();
        trials = new TrialRepository(db);
        var config = new TrialConfig();
        new SweepRepository(db).Register("s", null, null, [new SweepMember(config.Id(), config.ToCanonicalJson(), 0, "{}", 0)]);
    }

    public void Dispose() => store.Dispose();

    [Fact]
    public void The_owner_records_the_runtime_on_the_trial_and_its_current_attempt()
    {
        var first = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.True(trials.RecordRuntime(first.TrialId, "me", new TrialRuntime("cuda", "NVIDIA H100 80GB HBM3", "2.11.0+cu130 (PyTorch)", "13.0", "1")));
        Assert.True(trials.Retry(first.TrialId, "me", 1, "crashed"));
        Assert.True(trials.RecordRuntime(first.TrialId, "me", new TrialRuntime("cuda", "NVIDIA H100 80GB HBM3", "2.11.0+cu130 (PyTorch)", "13.0", "3")));

        var row = trials.Get(first.TrialId)!;
        Assert.Equal(("cuda", "NVIDIA H100 80GB HBM3", "2.11.0+cu130 (PyTorch)", "13.0"), (row.Device, row.GpuName, row.LibtorchVersion, row.CudaVersion));
        Assert.Equal(["1", "3"], trials.Attempts(first.TrialId).Select(a => a.CudaVisibleDevices));
    }

    [Fact]
    public void Anyone_but_the_owner_records_nothing()
    {
        var t = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.False(trials.RecordRuntime(t.TrialId, "someone-else", new TrialRuntime("cpu", null, "2.10.0 (bundled)", null, "0")));
        Assert.Null(trials.Get(t.TrialId)!.LibtorchVersion);
        Assert.Null(Assert.Single(trials.Attempts(t.TrialId)).CudaVisibleDevices);
    }
}
