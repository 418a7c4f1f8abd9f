using Core.Config;
using Core.Store;
using TestSupport;

namespace Core.Tests;

public sealed class SqliteWriteProbeTests() : WriteProbeTests(Backend.Sqlite)
{
    [Fact]
    public void A_missing_file_is_not_created()
    {
        Assert.Throws<DatabaseNotFoundException>(() => Database.ProbeWrite(Location));
        Assert.False(File.Exists(store.Db));
    }
}

[Trait("Needs", "PostgreSQL")]
public sealed class PostgresWriteProbeTests() : WriteProbeTests(Backend.Postgres)
{
    [Fact]
    public void A_fresh_database_says_version_0_and_keeps_no_table()
    {
        Assert.Equal(0, Database.ProbeWrite(Location));
        Assert.Empty(PostgresServer.Tables(store.Db));
    }
}

/// <summary><see cref="Database.ProbeWrite"/>: whether a store could be written, changing nothing. On both engines.</summary>
public abstract class WriteProbeTests(Backend backend) : IDisposable
{
    protected readonly TestStore store = TestStore.Create(backend, "probe");

    protected StoreLocation Location => StoreLocation.Parse(store.Db, "test", commandLine: false);

    public void Dispose() => store.Dispose();

    [Fact]
    public void A_migrated_store_says_its_version_and_is_left_as_it_was()
    {
        var db = store.Open();
        var config = new TrialConfig();
        new SweepRepository(db).Register("s", "s.yaml", "name: s", [new SweepMember(config.Id(), config.ToCanonicalJson(), 0, "{}", 0)]);
        var before = StoreRows.Of(store.OpenReadOnly());

        Assert.Equal(Schema.LatestVersion, Database.ProbeWrite(Location));

        Assert.Equal(before, StoreRows.Of(store.OpenReadOnly()));
    }
}
