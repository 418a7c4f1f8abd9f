using Microsoft.Data.Sqlite;

namespace Reporting.Tests.Support;

/// <summary>A test's own view of a database file: opened read-only and unpooled, so it never changes the file or keeps it open.</summary>
public static class ReadOnlySqlite
{
    public static SqliteConnection Connect(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}
