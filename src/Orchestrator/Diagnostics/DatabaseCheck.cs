using Core.Store;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Diagnostics;

/// <summary>
/// Whether <c>run</c> could write the database: an existing one is opened for writing and takes the
/// write lock (<c>BEGIN IMMEDIATE</c>, rolled back: nothing changes); a missing one needs a folder it
/// can be created in, tried with a file that is removed again.
/// </summary>
public static class DatabaseCheck
{
    public static DoctorCheck Examine(string path)
    {
        var full = Path.GetFullPath(path);
        var details = new Dictionary<string, object?> { ["path"] = full, ["exists"] = File.Exists(full) };
        if (Directory.Exists(full)) return DoctorCheck.Fail("database", $"{full} is a folder; --db takes the database file", details);
        if (File.Exists(full)) return Existing(full, details);

        var folder = Path.GetDirectoryName(full)!;
        var existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                return DoctorCheck.Fail("database", $"{full} cannot be created: {existing} is a file, not a folder; pass --db or --results to a writable place", details);
            existing = Path.GetDirectoryName(existing) ?? "/";
        }
        var probe = Path.Combine(existing, $".orchestrator-doctor-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return DoctorCheck.Ok("database", $"{full} does not exist yet; `run` creates it ({existing} is writable)", details);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Fail("database", $"{full} does not exist and cannot be created: {existing} is not writable ({e.Message}); pass --db or --results to a writable place", details);
        }
    }

    private static DoctorCheck Existing(string path, Dictionary<string, object?> details)
    {
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            c.Open();
            using var version = c.CreateCommand();
            version.CommandText = "PRAGMA user_version";
            var schema = Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            details["schema_version"] = schema;
            using var tx = c.CreateCommand();
            tx.CommandText = "BEGIN IMMEDIATE; ROLLBACK;";
            tx.ExecuteNonQuery();
            if (schema > Schema.LatestVersion)
                return DoctorCheck.Fail("database", $"{path} has schema version {schema}, newer than this tool's {Schema.LatestVersion}; update the tool", details);
            var migrate = schema < Schema.LatestVersion ? $"; `run` migrates its schema from version {schema} to {Schema.LatestVersion}" : "";
            return DoctorCheck.Ok("database", $"{path} is writable{migrate}", details);
        }
        catch (SqliteException e)
        {
            return DoctorCheck.Fail("database", $"{path} cannot be written: {e.Message}", details);
        }
    }
}
