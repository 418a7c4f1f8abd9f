using Core.Config;
using Core.Store.Dialects;

namespace Core.Store;

/// <summary>
/// The store's schema as an ordered list of forward migrations. Version N is reached by running
/// migrations 1..N in order; a database is never migrated backwards. Add a new entry to change it.
/// Each migration is one SQL text for both engines; the few words that differ (column types,
/// <c>WITHOUT ROWID</c>, reading the config JSON) come from the <see cref="Dialect"/>.
/// </summary>
public static class Schema
{
    private static readonly IReadOnlyList<Func<Dialect, string>> Migrations =
    [
        // 1: the initial schema.
        d => $$"""
        CREATE TABLE sweeps (
            name        TEXT PRIMARY KEY,
            spec_path   TEXT,
            spec_yaml   TEXT,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );

        CREATE TABLE trials (
            trial_id     TEXT PRIMARY KEY,
            config_json  TEXT NOT NULL,
            state        TEXT NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'running', 'completed', 'failed')),
            attempt      INTEGER NOT NULL DEFAULT 0,
            owner        TEXT,
            lease_until  {{d.Real}},            -- unix seconds; a running trial whose lease passed is abandoned
            epoch        INTEGER NOT NULL DEFAULT 0,  -- last completed epoch
            step         {{d.BigInt}} NOT NULL DEFAULT 0,  -- last optimizer step recorded
            device       TEXT,
            params       {{d.BigInt}},
            vocab_size   INTEGER,
            exit_code    INTEGER,
            failure      TEXT,
            created_at   TEXT NOT NULL,
            started_at   TEXT,
            finished_at  TEXT
        );
        CREATE INDEX trials_state ON trials(state, lease_until);

        -- Which trials a sweep contains (a trial whose resolved config appears in two sweeps is shared).
        CREATE TABLE sweep_trials (
            sweep     TEXT NOT NULL REFERENCES sweeps(name) ON DELETE CASCADE,
            trial_id  TEXT NOT NULL REFERENCES trials(trial_id),
            ordinal   INTEGER NOT NULL,        -- position in the expanded grid
            grid_json TEXT NOT NULL,           -- the grid values of this trial, e.g. {"model.cell":"gru"}
            repeat    INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (sweep, trial_id)
        ){{d.WithoutRowId}};

        -- One row per attempt of a trial: who ran it, how it ended.
        CREATE TABLE attempts (
            trial_id    TEXT NOT NULL REFERENCES trials(trial_id),
            attempt     INTEGER NOT NULL,
            owner       TEXT,
            started_at  TEXT NOT NULL,
            ended_at    TEXT,
            exit_code   INTEGER,
            outcome     TEXT,                 -- completed, failed, retry, interrupted, abandoned
            reason      TEXT,
            PRIMARY KEY (trial_id, attempt)
        ){{d.WithoutRowId}};

        -- Idempotent by key: a resumed trial that re-logs a step overwrites, never duplicates.
        CREATE TABLE metrics (
            trial_id   TEXT NOT NULL REFERENCES trials(trial_id),
            name       TEXT NOT NULL,
            step       {{d.BigInt}} NOT NULL,
            epoch      INTEGER,               -- set for per-epoch metrics
            value      {{d.Real}} NOT NULL,
            wall_time  {{d.Real}} NOT NULL,         -- unix seconds
            PRIMARY KEY (trial_id, name, step)
        ){{d.WithoutRowId}};

        CREATE TABLE checkpoints (
            trial_id    TEXT NOT NULL REFERENCES trials(trial_id),
            name        TEXT NOT NULL,        -- ckpt_<epoch>, or step_<step> for mid-epoch ones
            epoch       INTEGER NOT NULL,     -- completed epochs at the time of the checkpoint
            step        {{d.BigInt}} NOT NULL,
            path        TEXT NOT NULL,        -- relative to the database's folder
            sha256      TEXT NOT NULL,
            bytes       {{d.BigInt}} NOT NULL,
            created_at  TEXT NOT NULL,
            PRIMARY KEY (trial_id, name)
        ){{d.WithoutRowId}};

        CREATE TABLE probes (
            trial_id    TEXT NOT NULL REFERENCES trials(trial_id),
            checkpoint  TEXT NOT NULL,
            input       TEXT NOT NULL,
            step        {{d.BigInt}} NOT NULL,
            epoch       INTEGER NOT NULL,
            predicted   TEXT NOT NULL,        -- the most likely next character
            top_json    TEXT NOT NULL,        -- [{"char":"p","p":0.41}, ...] most likely first
            PRIMARY KEY (trial_id, checkpoint, input)
        ){{d.WithoutRowId}};

        CREATE TABLE samples (
            trial_id     TEXT NOT NULL REFERENCES trials(trial_id),
            checkpoint   TEXT NOT NULL,
            prime        TEXT NOT NULL,
            length       INTEGER NOT NULL,
            temperature  {{d.Real}} NOT NULL,
            top_k        INTEGER NOT NULL,
            seed         {{d.BigInt}} NOT NULL,
            text         TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            PRIMARY KEY (trial_id, checkpoint, prime, length, temperature, top_k, seed)
        ){{d.WithoutRowId}};

        -- The architecture summary of the live module, one row per layer.
        CREATE TABLE architecture (
            trial_id      TEXT NOT NULL REFERENCES trials(trial_id),
            ordinal       INTEGER NOT NULL,
            layer         TEXT NOT NULL,      -- e.g. embedding, gru, dense
            type          TEXT NOT NULL,      -- e.g. Embedding, GRU, Linear
            output_shape  TEXT NOT NULL,      -- e.g. (64, None, 1024)
            params        {{d.BigInt}} NOT NULL,
            PRIMARY KEY (trial_id, ordinal)
        ){{d.WithoutRowId}};

        {{TrialSummaryView(d, "")}}
        {{d.QueryFunctions}}
        """,

        // 2: failures that explain themselves, and the Runner's own process for the local dead-owner check (docs/contract.md).
        _ => """
        ALTER TABLE trials ADD COLUMN failure_kind TEXT;   -- bad_input, diverged, out_of_memory, crashed
        ALTER TABLE trials ADD COLUMN stderr_tail TEXT;    -- the last stderr lines of the attempt that set failure
        ALTER TABLE trials ADD COLUMN runner TEXT;         -- host:pid:start of the Runner process running it now
        ALTER TABLE attempts ADD COLUMN failure_kind TEXT;
        ALTER TABLE attempts ADD COLUMN stderr_tail TEXT;
        """,

        // 3: where trials run: the libtorch and GPU a trial ran on, the Slurm job of each attempt and the
        // GPUs its Runner was given; the Slurm jobs a sweep submitted (docs/cluster.md).
        _ => """
        ALTER TABLE trials ADD COLUMN gpu_name TEXT;              -- e.g. NVIDIA H100 80GB HBM3; NULL on the CPU
        ALTER TABLE trials ADD COLUMN libtorch_version TEXT;      -- e.g. 2.10.0 (bundled) or 2.11.0+cu130 (PyTorch's)
        ALTER TABLE trials ADD COLUMN cuda_version TEXT;          -- e.g. 13.0; NULL on the CPU
        ALTER TABLE attempts ADD COLUMN slurm_job TEXT;           -- job id of the array task that ran it, e.g. 4242_3
        ALTER TABLE attempts ADD COLUMN cuda_visible_devices TEXT; -- CUDA_VISIBLE_DEVICES the Runner was started with

        CREATE TABLE slurm_jobs (
            sweep         TEXT NOT NULL,
            job_id        TEXT NOT NULL,      -- the array job's id (sbatch --parsable)
            "array"       TEXT NOT NULL,      -- the --array range it was submitted with, e.g. 0-7%4 (quoted: a reserved word in PostgreSQL)
            submitted_at  TEXT NOT NULL,
            PRIMARY KEY (sweep, job_id)
        );
        """,

        // 4: trial_summary also says what kind of failure a trial had and what it ran on (migration 3's columns).
        d => $$"""
        DROP VIEW trial_summary;
        {{TrialSummaryView(d, SummaryColumnsAddedIn4)}}
        """,

        // 5: train longer (docs/orchestrator.md): a trial that continues another one's first epochs, and the
        // trials that left a sweep when its spec was edited (`status --all` lists them).
        d => $$"""
        ALTER TABLE trials ADD COLUMN extends_trial_id TEXT;  -- the trial whose epochs 1..N this one copied and continues; NULL when trained from the start

        CREATE TABLE sweep_departures (
            sweep         TEXT NOT NULL REFERENCES sweeps(name) ON DELETE CASCADE,
            trial_id      TEXT NOT NULL,      -- a trial that was a member of the sweep and is no longer in its spec
            ordinal       INTEGER NOT NULL,   -- its place in the grid when it left
            grid_json     TEXT NOT NULL,
            repeat        INTEGER NOT NULL DEFAULT 0,
            left_at       TEXT NOT NULL,
            continued_by  TEXT,               -- the trial that continues it (a larger train.epochs), if that is why it left
            PRIMARY KEY (sweep, trial_id)
        ){{d.WithoutRowId}};
        """,

        // 6: early stopping: the trial state 'stopped', and the decision that stopped a trial (docs/store.md).
        d => $$"""
        {{d.AllowTrialStates([TrialStates.Pending, TrialStates.Running, TrialStates.Completed, TrialStates.Failed, TrialStates.Stopped])}}
        ALTER TABLE trials ADD COLUMN stop_rule TEXT;              -- median or asha; NULL unless stopped
        ALTER TABLE trials ADD COLUMN stop_epoch INTEGER;          -- the epoch at whose end it was stopped
        ALTER TABLE trials ADD COLUMN stop_metric TEXT;            -- e.g. val_loss
        ALTER TABLE trials ADD COLUMN stop_value {{d.Real}};       -- its value of the metric at that epoch
        ALTER TABLE trials ADD COLUMN stop_threshold {{d.Real}};   -- the value it had to beat (the peers' median, or the rung's cut-off)
        ALTER TABLE trials ADD COLUMN stop_peers INTEGER;          -- how many other trials of the sweep had reached that epoch
        DROP VIEW trial_summary;
        {{TrialSummaryView(d, SummaryColumnsAddedIn4 + SummaryColumnsAddedIn6)}}
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    /// <summary>The columns migration 4 added to <c>trial_summary</c>.</summary>
    private const string SummaryColumnsAddedIn4 = """

            t.failure_kind                                        AS failure_kind,
            t.gpu_name                                            AS gpu_name,
            t.libtorch_version                                    AS libtorch_version,
            t.cuda_version                                        AS cuda_version,
        """;

    /// <summary>The columns migration 6 added to <c>trial_summary</c>: why an early-stopping rule stopped the trial.</summary>
    private const string SummaryColumnsAddedIn6 = """

            t.stop_rule                                           AS stop_rule,
            t.stop_epoch                                          AS stop_epoch,
            t.stop_metric                                         AS stop_metric,
            t.stop_value                                          AS stop_value,
            t.stop_threshold                                      AS stop_threshold,
            t.stop_peers                                          AS stop_peers,
        """;

    /// <summary>
    /// The <c>trial_summary</c> view: one row per (sweep, trial) with its config flattened, progress,
    /// final and best metrics. <paramref name="later"/> holds the columns later migrations added
    /// (each line starting with a newline), so every version's view is built from this one text.
    /// </summary>
    private static string TrialSummaryView(Dialect d, string later) => $$"""
        -- One row per (sweep, trial): config flattened, progress, final and best metrics.
        CREATE VIEW trial_summary AS
        SELECT
            st.sweep                                              AS sweep,
            t.trial_id                                            AS trial_id,
            st.ordinal                                            AS ordinal,
            st.repeat                                             AS repeat,
            t.state                                               AS state,
            t.attempt                                             AS attempt,
            {{ConfigColumns(d)}}
            t.epoch                                               AS epochs_done,
            t.step                                                AS steps_done,
            t.device                                              AS device,
            t.params                                              AS params,
            (SELECT value FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'epoch_train_loss' ORDER BY step DESC LIMIT 1) AS final_train_loss,
            (SELECT value FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'val_loss' ORDER BY step DESC LIMIT 1)         AS final_val_loss,
            (SELECT value FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'val_error' ORDER BY step DESC LIMIT 1)        AS final_val_error,
            (SELECT value FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'train_error' ORDER BY step DESC LIMIT 1)      AS final_train_error,
            (SELECT MIN(value) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'val_loss')                               AS best_val_loss,
            (SELECT epoch FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'val_loss' ORDER BY value ASC, step ASC LIMIT 1) AS best_epoch,
            (SELECT AVG(value) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'chars_per_sec')                          AS chars_per_sec,
            (SELECT SUM(value) FROM metrics m WHERE m.trial_id = t.trial_id AND m.name = 'epoch_seconds')                          AS train_seconds,
            t.failure                                             AS failure,{{later}}
            t.config_json                                         AS config_json
        FROM sweep_trials st JOIN trials t ON t.trial_id = st.trial_id;
        """;

    /// <summary>
    /// The parameters <c>trial_summary</c> flattens into columns, in column order. Each column is named
    /// by its parameter's key and typed by its kind (<see cref="Parameters"/>). The list is part of the
    /// migrations that create the view (1 and 4), so it is never changed: a parameter gets a column of
    /// its own through a new migration.
    /// </summary>
    private static readonly string[] SummaryParameters =
    [
        "model.cell", "model.embedding", "model.hidden", "model.layers", "model.dropout", "data.seq_len",
        "train.batch_size", "train.lr", "train.epochs", "train.max_steps", "train.seed",
    ];

    /// <summary>The view's config columns, e.g. <c>json_extract(t.config_json, '$.model.hidden') AS hidden</c>, one per line.</summary>
    private static string ConfigColumns(Dialect d) => string.Join(",\n            ", SummaryParameters.Select(path =>
    {
        var p = Parameters.ByPath[path];
        var type = p.Kind switch { ParamKind.Int or ParamKind.Long => JsonType.Integer, ParamKind.Double => JsonType.Real, _ => JsonType.Text };
        return $"{d.Json("t.config_json", p.Path, type)} AS {p.Key}";
    })) + ",";

    /// <summary>
    /// Every table of the latest schema, parents before children, with its key and how its rows
    /// belong to a sweep: through a sweep column, or through the trial they are about (for export).
    /// </summary>
    internal static IReadOnlyList<TableInfo> Tables { get; } =
    [
        new("sweeps", ["name"], "name", BySweep: true),
        new("trials", ["trial_id"], "trial_id", BySweep: false),
        new("sweep_trials", ["sweep", "trial_id"], "sweep", BySweep: true),
        new("attempts", ["trial_id", "attempt"], "trial_id", BySweep: false),
        new("metrics", ["trial_id", "name", "step"], "trial_id", BySweep: false),
        new("checkpoints", ["trial_id", "name"], "trial_id", BySweep: false),
        new("probes", ["trial_id", "checkpoint", "input"], "trial_id", BySweep: false),
        new("samples", ["trial_id", "checkpoint", "prime", "length", "temperature", "top_k", "seed"], "trial_id", BySweep: false),
        new("architecture", ["trial_id", "ordinal"], "trial_id", BySweep: false),
        new("slurm_jobs", ["sweep", "job_id"], "sweep", BySweep: true),
        new("sweep_departures", ["sweep", "trial_id"], "sweep", BySweep: true),
    ];

    /// <summary>The SQL of migration <paramref name="index"/> (0-based: it brings version <paramref name="index"/> to <paramref name="index"/> + 1) for <paramref name="dialect"/>.</summary>
    internal static string Migration(int index, Dialect dialect) => Migrations[index](dialect);
}

/// <summary>A table of the schema: its name, primary key, and the column that ties a row to a sweep (<paramref name="BySweep"/>) or to a trial.</summary>
internal sealed record TableInfo(string Name, IReadOnlyList<string> Key, string ScopeColumn, bool BySweep);
