using System.Data.Common;
using Core.Store;

namespace Orchestrator.Diagnostics;

/// <summary>
/// Whether <c>run</c> could write the database, changing nothing (<see cref="Database.ProbeWrite"/>):
/// an existing SQLite file or a PostgreSQL database is connected to, the write transaction and the
/// schema lock are taken, and everything is rolled back. A SQLite file that does not exist yet needs a
/// folder it can be created in, tried with a file that is removed again. The database is shown as
/// <see cref="StoreLocation.Display"/>: a password never appears.
/// </summary>
internal static class DatabaseCheck
{
    private const string Name = "database";

    /// <summary>Examines the store <paramref name="resolve"/> names; a setting that cannot be used (<see cref="StoreLocationException"/>) fails the check.</summary>
    public static DoctorCheck Examine(Func<StoreLocation> resolve)
    {
        StoreLocation location;
        try
        {
            location = resolve();
        }
        catch (StoreLocationException e)
        {
            return DoctorCheck.Fail(Name, e.Message, new Dictionary<string, object?> { ["setting"] = e.Setting });
        }
        var details = new Dictionary<string, object?>
        {
            ["engine"] = location.Kind == StoreKind.Sqlite ? "sqlite" : "postgresql",
            ["database"] = location.Display,
            ["setting"] = location.Origin,
        };
        return location.Kind == StoreKind.Sqlite ? Sqlite(location, details) : Existing(location, details);
    }

    private static DoctorCheck Sqlite(StoreLocation location, Dictionary<string, object?> details)
    {
        var full = location.SqlitePath;
        details["path"] = full;
        details["exists"] = File.Exists(full);
        if (Directory.Exists(full)) return DoctorCheck.Fail(Name, $"{full} is a folder; --db takes the database file", details);
        if (File.Exists(full)) return Existing(location, details);

        var folder = Path.GetDirectoryName(full)!;
        var existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                return DoctorCheck.Fail(Name, $"{full} cannot be created: {existing} is a file, not a folder; pass --db or --results to a writable place", details);
            existing = Path.GetDirectoryName(existing) ?? "/";
        }
        var probe = Path.Combine(existing, $".orchestrator-doctor-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return DoctorCheck.Ok(Name, $"{full} does not exist yet; `run` creates it ({existing} is writable)", details);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Fail(Name, $"{full} does not exist and cannot be created: {existing} is not writable ({e.Message}); pass --db or --results to a writable place", details);
        }
    }

    private static DoctorCheck Existing(StoreLocation location, Dictionary<string, object?> details)
    {
        var shown = location.Display;
        long schema;
        try
        {
            schema = Database.ProbeWrite(location);
        }
        catch (DatabaseConnectionException e)
        {
            return DoctorCheck.Fail(Name, e.Message, details); // names the database (masked), the setting and the fix
        }
        catch (DatabaseOpenException e)
        {
            return DoctorCheck.Fail(Name, $"{shown} cannot be written: {e.Reason}", details);
        }
        catch (DbException e)
        {
            return DoctorCheck.Fail(Name, $"{shown} cannot be written: {e.Message.ReplaceLineEndings(" ")}", details);
        }
        details["schema_version"] = schema;
        if (schema > Schema.LatestVersion)
            return DoctorCheck.Fail(Name, $"{shown} has schema version {schema}, newer than this tool's {Schema.LatestVersion}; update the tool", details);
        var state = schema == 0 && location.Kind == StoreKind.Postgres
            ? $"; `run` creates its tables (schema version {Schema.LatestVersion})"
            : schema < Schema.LatestVersion ? $"; `run` migrates its schema from version {schema} to {Schema.LatestVersion}" : "";
        return DoctorCheck.Ok(Name, $"{shown} is writable{state}", details);
    }
}
