namespace Orchestrator.Slurm;

/// <summary>
/// sbatch refused the sweep's job (checked with <c>sbatch --test-only</c> before anything is
/// recorded): its message names the spec setting sbatch's message points at, and what would be right.
/// </summary>
internal sealed class SlurmRefusedException(string field, string slurmMessage, string fix)
    : Exception($"{field}: sbatch refused the job: {slurmMessage}; {fix}")
{
    /// <summary>
    /// The setting sbatch's own message is about, and what to do: partition, account, time, gres,
    /// or the resources asked per task (cpus_per_task, mem, gres together).
    /// </summary>
    public static SlurmRefusedException From(SlurmCommandException e, IReadOnlyList<string> partitions, string specPath)
    {
        var m = e.SlurmMessage;
        bool Says(string s) => m.Contains(s, StringComparison.OrdinalIgnoreCase);
        var known = partitions.Count > 0 ? $" (this cluster has: {string.Join(", ", partitions)})" : "";
        var (field, fix) = m switch
        {
            _ when Says("partition") => ("execution.slurm.partition", $"name a partition of this cluster{known}, or leave it out for the cluster's default, in {specPath}"),
            _ when Says("account") => ("execution.slurm.account", $"name an account you may charge (sacctmgr show associations user=$USER), or leave it out, in {specPath}"),
            _ when Says("time") => ("execution.slurm.time", $"give a time limit the partition allows (scontrol show partition), in {specPath}"),
            _ when Says("gres") || Says("generic resource") => ("execution.slurm.gres", $"ask for generic resources the nodes have (sinfo -o '%P %G'), in {specPath}"),
            _ when Says("qos") => ("execution.slurm.extra", $"give a QOS you may use (sacctmgr show qos), in {specPath}"),
            _ when Says("node configuration") || Says("memory") || Says("cpu") =>
                ("execution.slurm", $"ask for no more than one node has: cpus_per_task, mem and gres together (sinfo -o '%P %c %m %G' lists them), in {specPath}"),
            _ => ("execution.slurm", $"fix the setting it names in {specPath}"),
        };
        return new SlurmRefusedException(field, m, fix + "; nothing was submitted or recorded");
    }
}
