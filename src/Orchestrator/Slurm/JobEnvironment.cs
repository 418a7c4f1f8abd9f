using Core.Spec;
using Core.Store;

namespace Orchestrator.Slurm;

/// <summary>
/// What of the submitting process's environment reaches a sweep's workers. A database password
/// travels only this way: <c>sbatch</c> runs with the store's <see cref="StoreLocation.ChildEnvironment"/>
/// added to its environment and, by its default <c>--export=ALL</c>, hands that environment to every
/// task; the job script and every command line name the database without it (docs/cluster.md).
/// </summary>
internal static class JobEnvironment
{
    /// <summary>The environment variable that overrides the #SBATCH lines' <c>--export</c>.</summary>
    public const string SbatchExportVariable = "SBATCH_EXPORT";

    /// <summary>
    /// The <c>--export</c> in effect and the setting it comes from: <c>SBATCH_EXPORT</c> (it overrides
    /// #SBATCH lines), else the last <c>--export</c> of <c>execution.slurm.extra</c>, else sbatch's default <c>ALL</c>.
    /// </summary>
    public static (string Value, string Setting) Export(SlurmConfig slurm, Func<string, string?> environment)
    {
        if (environment(SbatchExportVariable) is { Length: > 0 } fromEnvironment) return (fromEnvironment, SbatchExportVariable);
        string? fromExtra = null;
        foreach (var item in slurm.Extra)
        {
            var text = item.Trim();
            if (!text.StartsWith("--export", StringComparison.Ordinal)) continue;
            var rest = text["--export".Length..];
            if (rest.Length > 0 && rest[0] != '=' && !char.IsWhiteSpace(rest[0])) continue; // another option, e.g. --export-file
            fromExtra = rest.TrimStart('=').Trim();
        }
        return fromExtra is null ? ("ALL", "sbatch's default") : (fromExtra, "execution.slurm.extra");
    }

    /// <summary>Whether <paramref name="variable"/> reaches the job under <c>--export=</c><paramref name="export"/>: <c>ALL</c>, or a list that has <c>ALL</c> or names it.</summary>
    public static bool Carries(string export, string variable) =>
        export.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(v => v.Equals("ALL", StringComparison.OrdinalIgnoreCase) || v == variable || v.StartsWith(variable + "=", StringComparison.Ordinal));

    /// <summary>
    /// A warning when the database password is in this process's environment only (from the
    /// database setting, or <c>PGPASSWORD</c>) and the <c>--export</c> in effect keeps it from the
    /// workers; null otherwise (SQLite, a password in ~/.pgpass, or one that travels).
    /// </summary>
    public static string? DroppedPassword(StoreLocation store, SlurmConfig slurm, string specPath, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (store.Kind != StoreKind.Postgres) return null;
        var source = store.HasPassword ? store.Origin
            : environment(StoreLocation.PasswordVariable) is { Length: > 0 } ? StoreLocation.PasswordVariable
            : null;
        if (source is null) return null;
        var (export, setting) = Export(slurm, environment);
        if (Carries(export, StoreLocation.PasswordVariable)) return null;
        var where = setting == SbatchExportVariable ? SbatchExportVariable : $"{setting} in {specPath}";
        return $"{where} sets --export={export}, so the workers do not get {StoreLocation.PasswordVariable}, which carries the database password here "
               + $"(from {source}): they can log in only if ~/.pgpass (or the file PGPASSFILE names) on the nodes holds it. "
               + "Leave --export out (sbatch's default ALL passes it), add PGPASSWORD to its list, or keep the password in a 0600 ~/.pgpass on the shared file system";
    }
}
