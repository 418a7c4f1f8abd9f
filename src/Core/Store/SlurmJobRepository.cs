using Dapper;

namespace Core.Store;

/// <summary>A job array that <c>orchestrator run</c> submitted for a sweep (table <c>slurm_jobs</c>).</summary>
public sealed class SlurmJobRow
{
    public string Sweep { get; init; } = "";
    /// <summary>The array job's id, as <c>sbatch --parsable</c> printed it.</summary>
    public string JobId { get; init; } = "";
    /// <summary>The --array range it was submitted with, e.g. <c>0-7%2</c>.</summary>
    public string Array { get; init; } = "";
    public string SubmittedAt { get; init; } = "";
}

/// <summary>
/// A trial of a sweep as a Slurm run follows it: its state and progress, and the Slurm job (array
/// task, e.g. <c>4242_3</c>) of its current attempt, if that ran in one.
/// </summary>
public sealed record TrialJob(string TrialId, string State, int Attempt, string? Owner, int Epoch, long Step, string? Failure, string? SlurmJob)
{
    public TrialJob() : this("", "", 0, null, 0, 0, null, null) { }
}

/// <summary>
/// What the store knows about a sweep's Slurm jobs: the job arrays submitted for it, and which
/// array task ran each attempt (<c>attempts.slurm_job</c>). See docs/cluster.md.
/// </summary>
public sealed class SlurmJobRepository(Database db)
{
    /// <summary>Records a job array submitted for a sweep. The column <c>"array"</c> is quoted: a reserved word in PostgreSQL.</summary>
    public void RecordSubmission(string sweep, string jobId, string array)
    {
        using var c = db.Connect();
        c.Execute("""
            INSERT INTO slurm_jobs(sweep, job_id, "array", submitted_at) VALUES (@sweep, @jobId, @array, @now)
            ON CONFLICT(sweep, job_id) DO UPDATE SET "array" = excluded."array", submitted_at = excluded.submitted_at
            """, new { sweep, jobId, array, now = Timestamps.Now() });
    }

    /// <summary>The sweep's job arrays, oldest first.</summary>
    public IReadOnlyList<SlurmJobRow> Jobs(string sweep)
    {
        using var c = db.Connect();
        return c.Query<SlurmJobRow>("SELECT * FROM slurm_jobs WHERE sweep = @sweep ORDER BY submitted_at, job_id", new { sweep }).AsList();
    }

    /// <summary>The sweep's trials in grid order, each with the array task of its current (or last) attempt.</summary>
    public IReadOnlyList<TrialJob> TrialJobs(string sweep)
    {
        using var c = db.Connect();
        return c.Query<TrialJob>("""
            SELECT t.trial_id, t.state, t.attempt, t.owner, t.epoch, t.step, t.failure, a.slurm_job
            FROM sweep_trials st JOIN trials t ON t.trial_id = st.trial_id
            LEFT JOIN attempts a ON a.trial_id = t.trial_id AND a.attempt = t.attempt
            WHERE st.sweep = @sweep ORDER BY st.ordinal
            """, new { sweep }).AsList();
    }
}
