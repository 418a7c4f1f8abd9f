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
/// What the store knows about a sweep's Slurm jobs: the job arrays submitted for it, and which
/// array task ran each attempt (<c>attempts.slurm_job</c>). See docs/cluster.md.
/// </summary>
public sealed class SlurmJobRepository(Database db)
{
    /// <summary>Records a job array submitted for a sweep. The column <c>"array"</c> is quoted: a reserved word in PostgreSQL.</summary>
    public void RecordSubmission(string sweep, string jobId, string array)
    {
        db.Run(c =>
        {
            c.Execute("""
                INSERT INTO slurm_jobs(sweep, job_id, "array", submitted_at) VALUES (@sweep, @jobId, @array, @now)
                ON CONFLICT(sweep, job_id) DO UPDATE SET "array" = excluded."array", submitted_at = excluded.submitted_at
                """, new { sweep, jobId, array, now = Timestamps.Now() });
        });
    }

    /// <summary>The sweep's job arrays, oldest first.</summary>
    public IReadOnlyList<SlurmJobRow> Jobs(string sweep)
    {
        return db.Run(c =>
        {
            return c.Query<SlurmJobRow>("SELECT * FROM slurm_jobs WHERE sweep = @sweep ORDER BY submitted_at, job_id", new { sweep }).AsList();
        });
    }
}
