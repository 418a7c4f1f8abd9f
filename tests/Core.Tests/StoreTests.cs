using System.Data.Common;
using Core.Config;
using Core.Contract;
using Core.Store;
using Dapper;
using Microsoft.Data.Sqlite;
using TestSupport;

namespace Core.Tests;

/// <summary>The store on SQLite: the shared suite (<see cref="StoreTests"/>) and what only a SQLite file has.</summary>
public sealed class SqliteStoreTests() : StoreTests(Backend.Sqlite)
{
    [Fact]
    public void A_new_database_is_in_wal_mode_with_foreign_keys_on()
    {
        using var c = db.Connect();
        Assert.Equal(Schema.LatestVersion, c.ExecuteScalar<long>("PRAGMA user_version"));
        Assert.Equal("wal", c.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1, c.ExecuteScalar<long>("PRAGMA foreign_keys"));
    }

    [Fact]
    public void A_missing_database_opened_read_only_names_the_path()
    {
        var e = Assert.Throws<DatabaseNotFoundException>(() => Database.OpenReadOnly(store.Dir.File("none.db")));
        Assert.Contains("none.db", e.Message);
    }

    [Fact]
    public void A_read_only_database_refuses_writes_with_sqlites_own_error()
    {
        sweeps.Register("s", null, null, Plan(8));
        using var c = store.OpenReadOnly().Connect();
        Assert.Throws<SqliteException>(() => c.Execute("DELETE FROM trials"));
    }

    [Fact]
    public void Checkpoint_paths_are_stored_relative_to_the_database_folder()
    {
        Assert.Equal(Path.GetDirectoryName(store.Db), db.Folder);
        var abs = Path.Combine(db.Folder, "checkpoints", "abc", "ckpt_1.pt");
        Assert.Equal(Path.Combine("checkpoints", "abc", "ckpt_1.pt"), db.Relativize(abs));
        Assert.Equal(abs, db.Resolve(db.Relativize(abs)));
    }
}

/// <summary>The store on PostgreSQL: the shared suite (<see cref="StoreTests"/>), each test on a database of its own, and what only a server has.</summary>
[Trait("Needs", "PostgreSQL")]
public sealed class PostgresStoreTests() : StoreTests(Backend.Postgres)
{
    [Fact]
    public void Checkpoint_paths_are_stored_relative_to_the_results_folder()
    {
        Assert.Equal(store.Results, db.Folder);
        var abs = Path.Combine(store.Results, "checkpoints", "abc", "ckpt_1.pt");
        Assert.Equal(Path.Combine("checkpoints", "abc", "ckpt_1.pt"), db.Relativize(abs));
        Assert.Equal(abs, db.Resolve(db.Relativize(abs)));
    }

    [Fact]
    public void A_read_only_database_refuses_writes_in_read_only_transactions()
    {
        sweeps.Register("s", null, null, Plan(8));
        using var c = store.OpenReadOnly().Connect();
        var e = Assert.Throws<Npgsql.PostgresException>(() => c.Execute("DELETE FROM trials"));
        Assert.Equal("25006", e.SqlState); // read_only_sql_transaction
    }

    [Fact]
    public void The_schema_uses_postgresql_types_and_roundtrips_doubles_and_64_bit_integers()
    {
        using (var c = db.Connect())
        {
            var types = c.Query<(string Table, string Column, string Type)>("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name IN ('metrics', 'samples', 'checkpoints')
                """).ToDictionary(r => $"{r.Table}.{r.Column}", r => r.Type);
            Assert.Equal("double precision", types["metrics.value"]);
            Assert.Equal("bigint", types["metrics.step"]);
            Assert.Equal("bigint", types["samples.seed"]);
            Assert.Equal("bigint", types["checkpoints.bytes"]);
        }
        sweeps.Register("s", null, null, Plan(8));
        var id = sweeps.Members("s")[0].TrialId;
        results.WriteMetrics([new MetricRow(id, MetricNames.TrainLoss, long.MaxValue, null, 0.1 + 0.2, 1e-300)]);
        var m = Assert.Single(results.Metrics(id));
        Assert.Equal((long.MaxValue, 0.1 + 0.2, 1e-300), (m.Step, m.Value, m.WallTime));
    }

    [Fact]
    public void Sixteen_workers_claiming_from_one_sweep_of_200_no_op_trials_claim_every_trial_exactly_once()
    {
        // 16 workers, each with a pool of its own (so 16 server sessions claiming at once, as 16
        // processes would), claim and complete until nothing is left; a no-op trial does nothing.
        const int workers = 16, trialCount = 200;
        sweeps.Register("queue", null, null, Plan(Enumerable.Range(1, trialCount).ToArray()));
        var claims = new System.Collections.Concurrent.ConcurrentBag<(int Worker, string TrialId, int Attempt)>();
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var barrier = new Barrier(workers);
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                var mine = new TrialRepository(Database.Open($"{store.Db}?application_name=worker-{w}", store.Results));
                barrier.SignalAndWait();
                while (mine.ClaimNext("queue", $"worker-{w}", TimeSpan.FromMinutes(5)) is { } t)
                {
                    claims.Add((w, t.TrialId, t.Attempt));
                    if (!mine.Complete(t.TrialId, $"worker-{w}")) throw new InvalidOperationException($"worker {w} lost {t.TrialId}");
                }
            }
            catch (Exception e) { errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        Assert.Equal(trialCount, claims.Count);
        Assert.Equal(trialCount, claims.Select(c => c.TrialId).Distinct().Count());
        Assert.All(claims, c => Assert.Equal(1, c.Attempt));
        Assert.All(trials.ListForSweep("queue"), t => Assert.Equal((TrialStates.Completed, 1), (t.State, t.Attempt)));
        using var c = db.Connect();
        Assert.Equal(trialCount, c.ExecuteScalar<long>("SELECT COUNT(*) FROM attempts WHERE outcome = 'completed'"));
        Assert.Equal(trialCount, c.ExecuteScalar<long>("SELECT COUNT(*) FROM attempts"));
    }

    [Fact]
    public void Many_processes_opening_a_fresh_database_at_once_create_its_schema_exactly_once()
    {
        // A second database, fresh, opened by 16 openers at once, each with a connection pool of its own
        // (a distinct Application Name is a distinct Npgsql pool), released together by a barrier.
        var fresh = PostgresServer.CreateDatabase("race");
        try
        {
            const int openers = 16;
            using var barrier = new Barrier(openers);
            var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            var threads = Enumerable.Range(0, openers).Select(i => new Thread(() =>
            {
                try
                {
                    barrier.SignalAndWait();
                    var opened = Database.Open($"{fresh}?application_name=opener-{i}", store.Results);
                    new SweepRepository(opened).Register($"s{i}", null, null, Plan(8, 16));
                }
                catch (Exception e) { errors.Add(e); }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Empty(errors);

            var db2 = Database.OpenReadOnly(fresh, store.Results);
            using var c = db2.Connect();
            Assert.Equal(Schema.LatestVersion, c.ExecuteScalar<int>("SELECT version FROM schema_version"));
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_version"));
            Assert.Equal(openers, c.ExecuteScalar<long>("SELECT COUNT(*) FROM sweeps"));
            Assert.Equal(2, c.ExecuteScalar<long>("SELECT COUNT(*) FROM trials"));
        }
        finally
        {
            PostgresServer.DropDatabase(fresh);
        }
    }
}

/// <summary>
/// The store's behaviour, the same on both engines: each derived class runs every test here against
/// its engine, on a fresh store of its own.
/// </summary>
public abstract class StoreTests : IDisposable
{
    private protected readonly TestStore store;
    private protected readonly Database db;
    private protected readonly SweepRepository sweeps;
    private protected readonly TrialRepository trials;
    private protected readonly ResultRepository results;

    protected StoreTests(Backend backend)
    {
        store = TestStore.Create(backend);
        db = store.Open();
        sweeps = new SweepRepository(db);
        trials = new TrialRepository(db);
        results = new ResultRepository(db);
    }

    public void Dispose()
    {
        store.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected static IReadOnlyList<SweepMember> Plan(params int[] hiddens) =>
        hiddens.Select((h, i) =>
        {
            var c = new TrialConfig { Model = new ModelConfig { Hidden = h } };
            return new SweepMember(c.Id(), c.ToCanonicalJson(), i, $"{{\"model.hidden\":\"{h}\"}}", 0);
        }).ToList();

    [Fact]
    public void A_new_database_gets_the_latest_schema_and_reopening_changes_nothing()
    {
        using (var c = db.Connect()) Assert.Equal(Schema.LatestVersion, db.Dialect.SchemaVersion(c));
        sweeps.Register("s", "s.yaml", "yaml", Plan(8, 16));
        var t = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        results.WriteMetrics([new MetricRow(t.TrialId, MetricNames.TrainLoss, 10, null, 2.5, 1)]);
        var before = StoreRows.Of(db);
        Assert.Contains(before, l => l.StartsWith("metrics:", StringComparison.Ordinal));

        var reopened = store.Open();
        Assert.Equal(before, StoreRows.Of(reopened));
        var readOnly = store.OpenReadOnly();
        Assert.Equal(before, StoreRows.Of(readOnly));
        Assert.Equal(TrialStates.Running, new TrialRepository(readOnly).Get(t.TrialId)!.State);
    }

    [Fact]
    public void A_database_from_a_newer_tool_is_refused_with_its_version()
    {
        using (var c = db.Connect())
        using (var tx = db.BeginWrite(c))
        {
            db.Dialect.SetSchemaVersion(c, tx, Schema.LatestVersion + 1);
            tx.Commit();
        }
        var e = Assert.Throws<SchemaVersionException>(() => store.Open());
        Assert.Contains($"schema version {Schema.LatestVersion + 1}", e.Message);
        Assert.True(e.Newer);
        Assert.True(Assert.Throws<SchemaVersionException>(() => store.OpenReadOnly()).Newer);
    }

    [Fact]
    public void An_older_schema_is_refused_for_reading_and_brought_forward_when_opened_for_writing()
    {
        using var older = TestStore.Create(store.Backend, "older");
        var dialect = Core.Store.Dialects.Dialect.For(StoreLocation.Parse(older.Db, "test", commandLine: false), readOnly: false);
        dialect.PrepareForWriting();
        using (var c = dialect.Connect())
        using (var tx = dialect.BeginWrite(c))
        {
            dialect.LockSchema(c, tx);
            for (var v = 0; v < 2; v++)
            {
                c.Execute(Schema.Migration(v, dialect), transaction: tx);
                dialect.SetSchemaVersion(c, tx, v + 1);
            }
            c.Execute("INSERT INTO sweeps(name, spec_yaml, created_at, updated_at) VALUES ('old', 'name: old', 't', 't')", transaction: tx);
            c.Execute("INSERT INTO trials(trial_id, config_json, created_at) VALUES ('0123456789ab', '{}', 't')", transaction: tx);
            tx.Commit();
        }

        var refused = Assert.Throws<SchemaVersionException>(() => older.OpenReadOnly());
        Assert.Equal((2L, false), (refused.Version, refused.Newer));

        var migrated = older.Open();
        using var m = migrated.Connect();
        Assert.Equal(Schema.LatestVersion, migrated.Dialect.SchemaVersion(m));
        Assert.Equal("name: old", new SweepRepository(migrated).Get("old")!.SpecYaml);
        Assert.Equal(0, m.ExecuteScalar<long>("SELECT COUNT(*) FROM attempts WHERE slurm_job IS NOT NULL")); // a column of version 3
        Assert.Equal(0, m.ExecuteScalar<long>("SELECT COUNT(*) FROM trial_summary WHERE failure_kind IS NOT NULL OR gpu_name IS NOT NULL")); // the view of version 4
        Assert.Equal(Schema.LatestVersion, older.OpenReadOnly().Dialect.SchemaVersion(m));
        // Version 6: an existing trial may be stopped early, with its decision; a state the schema does not know is still refused.
        var oldTrials = new TrialRepository(migrated);
        Assert.NotNull(oldTrials.ClaimTrial("0123456789ab", "me", TimeSpan.FromMinutes(1)));
        Assert.True(oldTrials.Stop("0123456789ab", "me", new StopDecision(true, "median", "val_loss", 2, 3.5, 2.5, 4)));
        Assert.Equal((TrialStates.Stopped, 2, 4), oldTrials.Get("0123456789ab") is { } t ? (t.State, t.StopEpoch, t.StopPeers) : default);
        Assert.ThrowsAny<System.Data.Common.DbException>(() => m.Execute("UPDATE trials SET state = 'bogus'"));
    }

    [Fact]
    public void Registering_an_edited_sweep_keeps_existing_trials_and_adds_only_new_ones()
    {
        Assert.Equal(2, sweeps.Register("s", "s.yaml", "yaml", Plan(8, 16)));
        var first = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.True(trials.Complete(first.TrialId, "me"));

        Assert.Equal(1, sweeps.Register("s", "s.yaml", "yaml2", Plan(8, 32)));

        var members = sweeps.Members("s");
        Assert.Equal(2, members.Count);
        Assert.Equal(TrialStates.Completed, trials.Get(members[0].TrialId)!.State);
        Assert.Equal(TrialStates.Pending, trials.Get(members[1].TrialId)!.State);
        Assert.Equal("yaml2", sweeps.Get("s")!.SpecYaml);
    }

    [Fact]
    public void Concurrent_claimers_never_get_the_same_trial()
    {
        sweeps.Register("s", null, null, Plan(Enumerable.Range(1, 40).ToArray()));
        var claimed = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, worker =>
        {
            while (trials.ClaimNext("s", $"w{worker}", TimeSpan.FromMinutes(1)) is { } t) claimed.Add(t.TrialId);
        });
        Assert.Equal(40, claimed.Count);
        Assert.Equal(40, claimed.Distinct().Count());
    }

    [Fact]
    public void An_abandoned_trial_is_reclaimed_with_the_next_attempt_and_the_old_owner_loses_it()
    {
        sweeps.Register("s", null, null, Plan(8));
        var t = trials.ClaimNext("s", "dead", TimeSpan.FromMilliseconds(1))!;
        Assert.Equal(1, t.Attempt);
        Thread.Sleep(20);

        var again = trials.ClaimNext("s", "alive", TimeSpan.FromMinutes(1))!;
        Assert.Equal((t.TrialId, 2, "alive"), (again.TrialId, again.Attempt, again.Owner));
        Assert.False(trials.Heartbeat(t.TrialId, "dead", TimeSpan.FromMinutes(1)));
        Assert.True(trials.Heartbeat(t.TrialId, "alive", TimeSpan.FromMinutes(1)));
        Assert.False(trials.Complete(t.TrialId, "dead"));
        Assert.Equal(["abandoned", null], trials.Attempts(t.TrialId).Select(a => a.Outcome));
    }

    [Fact]
    public void A_live_lease_cannot_be_claimed()
    {
        sweeps.Register("s", null, null, Plan(8));
        Assert.NotNull(trials.ClaimNext("s", "a", TimeSpan.FromMinutes(1)));
        Assert.Null(trials.ClaimNext("s", "b", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Retry_release_and_fail_move_the_trial_and_keep_the_reason()
    {
        sweeps.Register("s", null, null, Plan(8));
        var t = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.True(trials.Retry(t.TrialId, "me", 137, "killed by signal 9"));
        Assert.Equal(2, trials.Get(t.TrialId)!.Attempt);
        Assert.True(trials.Release(t.TrialId, "me", 4, "interrupted"));
        Assert.Equal(TrialStates.Pending, trials.Get(t.TrialId)!.State);

        var again = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.True(trials.Fail(again.TrialId, "me", 1, "boom: last stderr lines"));
        var failed = trials.Get(t.TrialId)!;
        Assert.Equal((TrialStates.Failed, 1, "boom: last stderr lines"), (failed.State, failed.ExitCode, failed.Failure));
        Assert.Equal(["retry", "interrupted", "failed"], trials.Attempts(t.TrialId).Select(a => a.Outcome));
    }

    [Fact]
    public void Requeueing_puts_only_the_sweeps_failed_trials_back_to_pending_and_keeps_their_history()
    {
        sweeps.Register("s", null, null, Plan(8, 16));
        sweeps.Register("other", null, null, Plan(24));
        var failed = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        trials.Fail(failed.TrialId, "me", 1, "crashed");
        var elsewhere = trials.ClaimNext("other", "me", TimeSpan.FromMinutes(1))!;
        trials.Fail(elsewhere.TrialId, "me", 1, "crashed");

        Assert.Equal(1, trials.RequeueFailed("s"));

        var row = trials.Get(failed.TrialId)!;
        Assert.Equal((TrialStates.Pending, (int?)null, (string?)null), (row.State, row.ExitCode, row.Failure));
        Assert.Equal(TrialStates.Failed, trials.Get(elsewhere.TrialId)!.State);
        Assert.Equal("crashed", Assert.Single(trials.Attempts(failed.TrialId)).Reason);
        var again = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.Equal((failed.TrialId, 2), (again.TrialId, again.Attempt));
    }

    [Fact]
    public void Metrics_are_keyed_by_trial_name_and_step_so_rewriting_overwrites()
    {
        sweeps.Register("s", null, null, Plan(8));
        var id = sweeps.Members("s")[0].TrialId;
        results.WriteMetrics([new MetricRow(id, MetricNames.TrainLoss, 10, null, 2.5, 1), new MetricRow(id, MetricNames.TrainLoss, 20, null, 2.0, 2)]);
        results.WriteMetrics([new MetricRow(id, MetricNames.TrainLoss, 20, null, 1.9, 3)], (id, 1, 20));

        var rows = results.Metrics(id, MetricNames.TrainLoss);
        Assert.Equal([(10L, 2.5), (20L, 1.9)], rows.Select(r => (r.Step, r.Value)));
        Assert.Equal(20, trials.Get(id)!.Step);

        results.RecordCheckpoint(new CheckpointRow { TrialId = id, Name = "ckpt_1", Epoch = 1, Step = 10, Path = "a", Sha256 = "x", CreatedAt = "t" });
        results.RecordCheckpoint(new CheckpointRow { TrialId = id, Name = "step_20", Epoch = 1, Step = 20, Path = "b", Sha256 = "y", CreatedAt = "t" });
        results.ForgetAfter(id, 10);
        Assert.Equal([10L], results.Metrics(id).Select(r => r.Step));
        Assert.Equal(["ckpt_1"], results.Checkpoints(id).Select(c => c.Name));
    }

    [Fact]
    public void The_trial_summary_view_flattens_config_and_computes_final_and_best()
    {
        sweeps.Register("s", null, null, Plan(16));
        var id = sweeps.Members("s")[0].TrialId;
        results.WriteMetrics([
            new MetricRow(id, MetricNames.ValLoss, 100, 1, 2.0, 1),
            new MetricRow(id, MetricNames.ValLoss, 200, 2, 1.5, 2),
            new MetricRow(id, MetricNames.ValLoss, 300, 3, 1.7, 3),
            new MetricRow(id, MetricNames.EpochTrainLoss, 300, 3, 1.2, 3),
        ]);
        using var c = db.Connect();
        var row = c.QuerySingle("SELECT sweep, cell, hidden, seq_len, final_val_loss, best_val_loss, best_epoch, final_train_loss FROM trial_summary");
        Assert.Equal("s", (string)row.sweep);
        Assert.Equal("gru", (string)row.cell);
        Assert.Equal(16L, (long)row.hidden);
        Assert.Equal(1.7, (double)row.final_val_loss);
        Assert.Equal(1.5, (double)row.best_val_loss);
        Assert.Equal(2L, (long)row.best_epoch);
        Assert.Equal(1.2, (double)row.final_train_loss);

        // What a trial ran on and how it failed (schema version 4), as its Runner and the scheduler recorded them.
        c.Execute("UPDATE trials SET failure_kind = 'out_of_memory', gpu_name = 'NVIDIA H100 80GB HBM3', libtorch_version = '2.11.0+cu130 (PyTorch)', cuda_version = '13.0'");
        var ran = c.QuerySingle("SELECT failure_kind, gpu_name, libtorch_version, cuda_version FROM trial_summary");
        Assert.Equal(("out_of_memory", "NVIDIA H100 80GB HBM3", "2.11.0+cu130 (PyTorch)", "13.0"),
            ((string)ran.failure_kind, (string)ran.gpu_name, (string)ran.libtorch_version, (string)ran.cuda_version));
    }

    [Fact]
    public void A_read_only_database_refuses_writes_and_keeps_its_rows()
    {
        sweeps.Register("s", null, null, Plan(8));
        var ro = store.OpenReadOnly();
        using var c = ro.Connect();
        Assert.ThrowsAny<DbException>(() => c.Execute("DELETE FROM trials"));
        Assert.Equal(1, c.ExecuteScalar<long>("SELECT COUNT(*) FROM trials"));
    }

    [Fact]
    public void A_trial_whose_owner_and_runner_on_this_host_are_gone_is_reclaimed_at_once_despite_its_lease()
    {
        sweeps.Register("s", null, null, Plan(8, 16, 24));
        var (deadOwner, deadRunner) = EndedProcess();
        var ids = sweeps.Members("s").Select(m => m.TrialId).ToList();
        Assert.NotNull(trials.ClaimTrial(ids[2], OwnerToken.New(), TimeSpan.FromHours(1)));               // its owner lives
        Assert.NotNull(trials.ClaimTrial(ids[1], deadOwner, TimeSpan.FromHours(1)));                      // its owner died,
        Assert.True(trials.AttachRunner(ids[1], deadOwner, ProcessIdentity.Current, TimeSpan.FromHours(1))); // its Runner lives
        var orphan = trials.ClaimTrial(ids[0], deadOwner, TimeSpan.FromHours(1))!;                        // both died
        Assert.True(trials.AttachRunner(orphan.TrialId, deadOwner, deadRunner, TimeSpan.FromHours(1)));

        var reclaimed = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.Equal((orphan.TrialId, 2, "me", (string?)null), (reclaimed.TrialId, reclaimed.Attempt, reclaimed.Owner, reclaimed.Runner));
        Assert.Null(trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))); // a live Runner, a live owner: their leases stand
        var abandoned = trials.Attempts(orphan.TrialId)[0];
        Assert.Equal(("abandoned", $"owner {deadOwner} and its Runner are gone"), (abandoned.Outcome, abandoned.Reason));
        Assert.False(trials.Heartbeat(orphan.TrialId, deadOwner, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_runner_attaches_only_while_its_owner_holds_the_trial()
    {
        sweeps.Register("s", null, null, Plan(8));
        var t = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.False(trials.AttachRunner(t.TrialId, "someone-else", ProcessIdentity.Current, TimeSpan.FromMinutes(1)));
        Assert.True(trials.AttachRunner(t.TrialId, "me", ProcessIdentity.Current, TimeSpan.FromMinutes(1)));
        Assert.Equal(ProcessIdentity.Current.ToString(), trials.Get(t.TrialId)!.Runner);
        Assert.True(trials.Complete(t.TrialId, "me"));
        Assert.Null(trials.Get(t.TrialId)!.Runner);
        Assert.False(trials.AttachRunner(t.TrialId, "me", ProcessIdentity.Current, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_failure_keeps_its_kind_and_stderr_apart_from_its_reason_and_a_requeue_makes_it_pending()
    {
        sweeps.Register("s", null, null, Plan(8, 16));
        var t = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.True(trials.Retry(t.TrialId, "me", new AttemptEnd(1, "crashed (exit 1): IOException: disk full", FailureKind.Crashed, "at A\nat B")));
        Assert.True(trials.Requeue(t.TrialId, "me", new AttemptEnd(6, "out of memory (exit 6) while 2 trials ran at once: …", FailureKind.OutOfMemory, "oom trace")));
        var requeued = trials.Get(t.TrialId)!;
        Assert.Equal((TrialStates.Pending, FailureKind.OutOfMemory, "oom trace"), (requeued.State, requeued.FailureKind, requeued.StderrTail));

        var again = trials.ClaimNext("s", "me", TimeSpan.FromMinutes(1))!;
        Assert.Equal(t.TrialId, again.TrialId);
        Assert.Equal(((string?)null, (string?)null), (again.FailureKind, again.StderrTail));
        Assert.True(trials.Fail(again.TrialId, "me", new AttemptEnd(2, "bad input: no corpus", FailureKind.BadInput)));
        trials.RecordStderr(again.TrialId, again.Attempt, "runner: error: no corpus");
        var failed = trials.Get(t.TrialId)!;
        Assert.Equal(("bad input: no corpus", FailureKind.BadInput, "runner: error: no corpus"), (failed.Failure, failed.FailureKind, failed.StderrTail));
        Assert.Equal(
            [("retry", FailureKind.Crashed, "at A\nat B"), ("requeued", FailureKind.OutOfMemory, "oom trace"), ("failed", FailureKind.BadInput, "runner: error: no corpus")],
            trials.Attempts(t.TrialId).Select(a => (a.Outcome, a.FailureKind, a.StderrTail)));
    }

    /// <summary>An owner token and a process identity of a process that ran on this host and has ended.</summary>
    private static (string Owner, ProcessIdentity Runner) EndedProcess()
    {
        using var child = System.Diagnostics.Process.Start("sleep", "30")!;
        var identity = ProcessIdentity.Of(child.Id)!;
        child.Kill();
        child.WaitForExit();
        return ($"{identity}:0bad", identity);
    }
}
