using System.Collections.Concurrent;
using Core.Config;
using Core.Store;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using TestSupport;

namespace Core.Tests;

/// <summary>What <see cref="OutagePolicy"/> counts as a database that blinks, and how its window is set.</summary>
public sealed class OutagePolicyTests
{
    [Theory]
    [InlineData("57P01", true)] // terminating connection due to administrator command (restart, pg_terminate_backend)
    [InlineData("57P02", true)] // crash shutdown
    [InlineData("57P03", true)] // the database system is starting up
    [InlineData("08006", true)] // connection failure
    [InlineData("53300", true)] // too many connections
    [InlineData("40P01", true)] // deadlock
    [InlineData("28P01", false)] // wrong password: waiting does not help
    [InlineData("3D000", false)] // no such database
    [InlineData("42601", false)] // a syntax error
    [InlineData("53100", false)] // disk full
    public void Postgres_errors_that_pass_are_transient_and_the_others_are_not(string sqlState, bool transient) =>
        Assert.Equal(transient, OutagePolicy.IsTransient(new PostgresException("m", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData(5, true)] // SQLITE_BUSY beyond the busy timeout
    [InlineData(6, true)] // SQLITE_LOCKED
    [InlineData(517, true)] // SQLITE_BUSY_SNAPSHOT, an extended code of BUSY
    [InlineData(13, false)] // SQLITE_FULL
    [InlineData(8, false)] // SQLITE_READONLY
    public void Sqlite_busy_and_locked_are_transient(int code, bool transient) =>
        Assert.Equal(transient, OutagePolicy.IsTransient(new SqliteException("m", code)));

    [Fact]
    public void A_refused_connection_is_transient()
    {
        var refused = Assert.ThrowsAny<NpgsqlException>(() =>
        {
            using var c = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=u;Database=d;Pooling=false;Timeout=2");
            c.Open();
        });
        Assert.True(OutagePolicy.IsTransient(refused), refused.ToString());
    }

    [Fact]
    public void Past_the_window_the_error_names_the_database_and_the_window()
    {
        var policy = new OutagePolicy(TimeSpan.FromSeconds(0.5));
        var tries = 0;
        var e = Assert.Throws<DatabaseOutageException>(() => policy.Execute<int>(() =>
        {
            tries++;
            throw new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01");
        }, "postgresql://ann:***@db:5432/study"));

        Assert.Equal("the database postgresql://ann:***@db:5432/study could not be used for 0.5 s (the outage window): " +
                     "57P01: terminating connection due to administrator command", e.Message);
        Assert.True(tries > 1, "it was not tried again");
    }

    [Fact]
    public void An_error_that_is_not_transient_is_not_retried()
    {
        var tries = 0;
        Assert.Throws<PostgresException>(() => new OutagePolicy(TimeSpan.FromMinutes(5)).Execute<int>(() =>
        {
            tries++;
            throw new PostgresException("password authentication failed", "FATAL", "FATAL", "28P01");
        }, "db"));
        Assert.Equal(1, tries);
    }
}

/// <summary>The window as a spec sets it: <c>execution.db_outage_seconds</c>.</summary>
public sealed class OutageWindowSpecTests : IDisposable
{
    private readonly TempDir _dir = new("outage-spec");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_spec_sets_the_window_and_without_it_the_default_applies()
    {
        var set = _dir.Write("set.yaml", "name: w\nexecution: { db_outage_seconds: 90 }\n");
        var unset = _dir.Write("unset.yaml", "name: w\n");

        Assert.Equal(TimeSpan.FromSeconds(90), Spec.SpecLoader.Load(set).Execution.DbOutage);
        Assert.Null(Spec.SpecLoader.Load(unset).Execution.DbOutage);
        Assert.Equal(TimeSpan.FromSeconds(90), OutagePolicy.For(TimeSpan.FromSeconds(90)).Window);
    }

    [Fact]
    public void A_negative_window_is_a_problem_at_its_place()
    {
        var path = _dir.Write("bad.yaml", "name: w\nexecution:\n  db_outage_seconds: -5\n");
        var e = Assert.Throws<Spec.SpecException>(() => Spec.SpecLoader.Load(path));
        Assert.Contains($"{path}:3:22: execution.db_outage_seconds: must be 0 or more seconds (how long a database outage is ridden out), got -5", e.Message);
    }
}

public sealed class SqliteFencingTests() : FencingTests(Backend.Sqlite);

[Trait("Needs", "PostgreSQL")]
public sealed class PostgresFencingTests() : FencingTests(Backend.Postgres);

/// <summary>A writer that lost its trial to another owner (its lease ran out during an outage) writes nothing.</summary>
public abstract class FencingTests : IDisposable
{
    private readonly TestStore _store;
    private readonly Database _db;
    private readonly TrialRepository _trials;
    private readonly ResultRepository _results;
    private readonly string _id;

    protected FencingTests(Backend backend)
    {
        _store = TestStore.Create(backend, "fencing");
        _db = _store.Open();
        _trials = new TrialRepository(_db);
        _results = new ResultRepository(_db);
        var config = new TrialConfig();
        _id = config.Id();
        _trials.Ensure(_id, config.ToCanonicalJson());
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Metrics_and_checkpoints_of_an_owner_that_lost_the_trial_are_not_written()
    {
        Assert.NotNull(_trials.ClaimTrial(_id, "me", TimeSpan.FromSeconds(30)));
        Assert.True(_results.WriteMetrics([new MetricRow(_id, MetricNames.TrainLoss, 2, null, 3.5, 1)], (_id, 0, 2), owner: "me"));
        // The lease ran out while the database was away, and another owner took the trial.
        Assert.True(_trials.Release(_id, "me", null, "lease expired"));
        Assert.NotNull(_trials.ClaimTrial(_id, "other", TimeSpan.FromSeconds(30)));

        Assert.False(_results.WriteMetrics([new MetricRow(_id, MetricNames.TrainLoss, 4, null, 3.1, 2)], (_id, 0, 4), owner: "me"));
        Assert.False(_results.RecordCheckpoint(new CheckpointRow { TrialId = _id, Name = "step_4", Epoch = 0, Step = 4, Path = "p", Sha256 = "s", CreatedAt = "t" }, owner: "me"));

        Assert.Equal([2L], _results.Metrics(_id).Select(m => m.Step));
        Assert.Empty(_results.Checkpoints(_id));
        Assert.Equal(2, _trials.Get(_id)!.Step);
        // The new owner writes as usual.
        Assert.True(_results.WriteMetrics([new MetricRow(_id, MetricNames.TrainLoss, 4, null, 3.0, 3)], (_id, 0, 4), owner: "other"));
        Assert.Equal(3.0, _results.Metrics(_id).Single(m => m.Step == 4).Value);
    }
}

/// <summary>A SQLite write lock held beyond the busy timeout (30 s): the write waits it out instead of failing (this test takes about 32 s).</summary>
public sealed class SqliteBusyOutageTests
{
    [Fact]
    public void A_write_lock_held_beyond_the_busy_timeout_is_waited_out()
    {
        using var store = TestStore.Create(Backend.Sqlite, "busy");
        var db = store.Open();
        var told = new ConcurrentQueue<string>();
        db.OnOutage = told.Enqueue;
        var trials = new TrialRepository(db);
        var config = new TrialConfig();
        var id = config.Id();
        trials.Ensure(id, config.ToCanonicalJson());

        using var holder = new SqliteConnection($"Data Source={store.Db};Pooling=false");
        holder.Open();
        using (var tx = holder.BeginTransaction(deferred: false)) // another process's write transaction, held for 32 s
        {
            holder.Execute("UPDATE trials SET config_json = config_json", transaction: tx);
            var release = new Thread(() =>
            {
                Thread.Sleep(TimeSpan.FromSeconds(32));
                tx.Commit();
            });
            release.Start();

            var claimed = trials.ClaimTrial(id, "me", TimeSpan.FromSeconds(30));

            release.Join();
            Assert.NotNull(claimed);
        }
        Assert.Contains(told, m => m.StartsWith($"the database {store.Db} does not answer (", StringComparison.Ordinal) && m.Contains("locked", StringComparison.Ordinal));
        Assert.Contains(told, m => m.StartsWith($"the database {store.Db} answers again after", StringComparison.Ordinal));
        Assert.Equal("me", trials.Get(id)!.Owner);
    }
}
