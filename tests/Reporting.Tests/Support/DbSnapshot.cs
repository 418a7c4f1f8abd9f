using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Reporting.Tests.Support;

/// <summary>What "the database did not change" means: the same file bytes and the same row count in every table.</summary>
public sealed record DbSnapshot(string FileSha256, IReadOnlyDictionary<string, long> RowCounts)
{
    public static DbSnapshot Of(string path)
    {
        SqliteConnection.ClearAllPools();
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        var tables = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").ToList();
        var counts = tables.ToDictionary(t => t, t => c.ExecuteScalar<long>($"SELECT COUNT(*) FROM \"{t}\""));
        return new DbSnapshot(hash, counts);
    }

    public void AssertSameAs(DbSnapshot other)
    {
        Assert.Equal(FileSha256, other.FileSha256);
        Assert.Equal(RowCounts.OrderBy(kv => kv.Key), other.RowCounts.OrderBy(kv => kv.Key));
    }
}
