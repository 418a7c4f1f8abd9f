using System.Text;
using Microsoft.Data.Sqlite;

namespace Runner.Tests.Support;

/// <summary>Every row of every table of a results database as text, to prove that a failed command changed nothing.</summary>
public static class StoreDump
{
    private static readonly string[] Tables = ["sweeps", "trials", "sweep_trials", "attempts", "metrics", "checkpoints", "probes", "samples", "architecture"];

    /// <summary>All rows, optionally leaving out the rows of one trial (the one a test expects to change).</summary>
    public static string Of(string dbPath, string? exceptTrial = null)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        var sb = new StringBuilder();
        foreach (var table in Tables)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT * FROM {table} ORDER BY 1, 2";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var values = Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var trialColumn = Enumerable.Range(0, r.FieldCount).FirstOrDefault(i => r.GetName(i) == "trial_id", -1);
                if (exceptTrial is not null && trialColumn >= 0 && values[trialColumn] == exceptTrial) continue;
                sb.Append(table).Append(": ").AppendJoin(" | ", values).Append('\n');
            }
        }
        return sb.ToString();
    }

    public static long Scalar(string dbPath, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
    }

    /// <summary>Copies a results folder (database with its WAL files, checkpoints) while nothing writes to it.</summary>
    public static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to), overwrite: true);
    }
}
