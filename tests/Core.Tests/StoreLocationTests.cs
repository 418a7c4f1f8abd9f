using Core.Store;
using TestSupport;

namespace Core.Tests;

/// <summary>What --db, ORCHESTRATOR_DB and ORCHESTRATOR_DB_FILE accept, and where a password may and may not go.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StoreLocationTests : IDisposable
{
    private readonly TempDir _dir = new("location");

    public void Dispose() => _dir.Dispose();

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void A_path_is_sqlite_and_a_url_or_connection_string_is_postgresql()
    {
        var file = StoreLocation.Parse("results/o.db", "--db", commandLine: true);
        Assert.Equal((StoreKind.Sqlite, Path.GetFullPath("results/o.db")), (file.Kind, file.SqlitePath));

        var url = StoreLocation.Parse("postgresql://ann@db.example:6543/study?sslmode=require", "--db", commandLine: true);
        Assert.Equal(StoreKind.Postgres, url.Kind);
        Assert.Equal("postgresql://ann@db.example:6543/study?SSL%20Mode=Require", url.Argument);
        Assert.Equal(url.Argument, url.Display);
        Assert.Equal([], url.ChildEnvironment);
        Assert.Equal(["--db", url.Argument, "--results", "/r"], url.ChildArguments("/r").ToArguments());

        var short_ = StoreLocation.Parse("postgres://localhost/study", "--db", commandLine: true);
        Assert.Equal("postgresql://localhost:5432/study", short_.Argument);

        var pairs = StoreLocation.Parse("Host=db.example;Database=study;Username=ann", "--db", commandLine: true);
        Assert.Equal((StoreKind.Postgres, "Host=db.example;Database=study;Username=ann"), (pairs.Kind, pairs.Argument));
        Assert.Equal(["--db", file.SqlitePath], file.ChildArguments("/r").ToArguments());
    }

    [Fact]
    public void A_password_is_masked_for_people_left_off_command_lines_and_handed_to_children_by_environment()
    {
        var url = StoreLocation.Parse("postgresql://ann:s3cr%40t@db.example:5432/study", "ORCHESTRATOR_DB", commandLine: false);
        Assert.Equal("postgresql://ann:***@db.example:5432/study", url.Display);
        Assert.Equal("postgresql://ann@db.example:5432/study", url.Argument);
        Assert.Equal(new Dictionary<string, string> { ["PGPASSWORD"] = "s3cr@t" }, url.ChildEnvironment);
        Assert.DoesNotContain("s3cr", string.Join(' ', url.ChildArguments("/r").ToArguments()));
        Assert.DoesNotContain("s3cr", url.ToString());

        var pairs = StoreLocation.Parse("Host=h;Database=d;Username=u;Password=pw123", "ORCHESTRATOR_DB", commandLine: false);
        Assert.Equal("Host=h;Database=d;Username=u;Password=***", pairs.Display);
        Assert.Equal("Host=h;Database=d;Username=u", pairs.Argument);
        Assert.Equal("postgresql://u:***@h/d", Core.Store.Dialects.PostgresLocation.Mask("postgresql://u:pw123@h/d"));
    }

    [Fact]
    public void Each_process_has_a_small_bounded_pool_and_a_runner_a_smaller_one_unless_the_user_set_its_size()
    {
        var url = StoreLocation.Parse("postgresql://u@h/d", "--db", commandLine: true);
        Assert.Contains($"Maximum Pool Size={Core.Store.Dialects.PostgresLocation.MaxPoolSize}", url.Value);
        Assert.Contains("Maximum Pool Size=2", url.WithMaxPoolSize(2).Value);
        Assert.Equal(url.Argument, url.WithMaxPoolSize(2).Argument);
        var given = StoreLocation.Parse("postgresql://u@h/d?Maximum%20Pool%20Size=10", "--db", commandLine: true);
        Assert.Contains("Maximum Pool Size=10", given.WithMaxPoolSize(2).Value);
    }

    [Fact]
    public void A_password_on_the_command_line_is_refused_without_repeating_it()
    {
        var e = Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("postgresql://ann:hunter2@db/study", "--db", commandLine: true));
        Assert.Equal("--db", e.Setting);
        Assert.Contains("--db carries a password", e.Message);
        Assert.Contains("postgresql://ann@db:5432/study", e.Message);
        Assert.Contains("~/.pgpass", e.Message);
        Assert.Contains("ORCHESTRATOR_DB_FILE", e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void Bad_values_name_the_setting_and_the_form()
    {
        Assert.Contains("names no database",
            Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("postgresql://ann@db", "ORCHESTRATOR_DB", commandLine: false)).Message);
        Assert.Contains("not a database this tool knows",
            Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("mysql://ann:pw@db/x", "--db", commandLine: true)).Message);
        var bad = Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("postgresql://ann@db/x?colour=blue", "--db", commandLine: true));
        Assert.Contains("'colour=blue'", bad.Message);
        Assert.DoesNotContain("pw9", Assert.Throws<StoreLocationException>(() =>
            StoreLocation.Parse("Host=h;Password=pw9;Nonsense=1", "--db", commandLine: false)).Message);
    }

    [Fact]
    public void The_option_wins_then_the_file_or_the_variable_then_the_results_folder()
    {
        var file = _dir.Write("db.url", "# the study's database\npostgresql://ann:pw@db/study\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(Path.GetFullPath("x.db"), StoreLocation.Resolve("x.db", "/r", Env(("ORCHESTRATOR_DB_FILE", file))).SqlitePath);
        var fromFile = StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", file)));
        Assert.Equal(("postgresql://ann:***@db:5432/study", $"ORCHESTRATOR_DB_FILE ({file})"), (fromFile.Display, fromFile.Origin));
        Assert.True(fromFile.HasPassword);
        Assert.Equal("ORCHESTRATOR_DB", StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", "postgresql://db/s"))).Origin);
        Assert.Equal("/r/orchestrator.db", StoreLocation.Resolve(null, "/r", Env()).SqlitePath);

        var both = Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", file), ("ORCHESTRATOR_DB", "x.db"))));
        Assert.Contains("set one of them", both.Message);
    }

    [Fact]
    public void A_database_file_that_others_may_read_is_refused()
    {
        var file = _dir.Write("db.url", "postgresql://ann:pw@db/study\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", file))));
        Assert.Contains("may be read by other users (mode 0644)", e.Message);
        Assert.Contains($"chmod 600 {file}", e.Message);
        Assert.Contains("does not exist",
            Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", _dir.File("none"))))).Message);
    }

    [Theory]
    [InlineData("tiger@Secret42")]
    [InlineData("a/b?c#d")]
    [InlineData("p:w@rd/")]
    [InlineData("12345#")]
    [InlineData("%zz%")]
    public void A_password_with_unencoded_url_characters_is_read_whole_and_never_shown(string password)
    {
        var url = StoreLocation.Parse($"postgresql://ann:{password}@db.example:5432/study", "ORCHESTRATOR_DB", commandLine: false);
        Assert.Equal("postgresql://ann:***@db.example:5432/study", url.Display);
        Assert.Equal(new Dictionary<string, string> { ["PGPASSWORD"] = Uri.UnescapeDataString(password) }, url.ChildEnvironment);
        // Unparsable forms: everything between :// and the last @ is masked.
        foreach (var bad in new[] { $"postgresql://ann:{password}@db.example:99999/study", $"postgresql://ann:{password}@db example/study",
                                    $"postgresql://ann:{password}@[::1/study", $"postgresql://ann:{password}@db.example:5432/a/b" })
        {
            var e = Assert.Throws<StoreLocationException>(() => StoreLocation.Parse(bad, "ORCHESTRATOR_DB", commandLine: false));
            Assert.Contains("postgresql://ann:***@", e.Message);
            Assert.DoesNotContain(password, e.Message);
        }
        Assert.Equal("postgresql://ann:***@h/d", Core.Store.Dialects.PostgresLocation.Mask($"postgresql://ann:{password}@h/d"));
    }

    [Fact]
    public void A_quoted_connection_string_password_is_masked_whole_and_an_unreadable_one_is_not_shown()
    {
        Assert.Equal("Host=h;Password=***;Database=d", Core.Store.Dialects.PostgresLocation.Mask("Host=h;Password='a;b=c';Database=d"));
        var pairs = StoreLocation.Parse("Host=h;Database=d;Username=u;Password='se;cr=et'", "ORCHESTRATOR_DB", commandLine: false);
        Assert.Equal(new Dictionary<string, string> { ["PGPASSWORD"] = "se;cr=et" }, pairs.ChildEnvironment);
        Assert.DoesNotContain("se;cr", pairs.Display);
        var e = Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("Host=h;Database=d;Password=se;cr;et", "ORCHESTRATOR_DB", commandLine: false));
        Assert.DoesNotContain("cr", e.Message.Replace("ORCHESTRATOR_DB", "", StringComparison.Ordinal).Replace("characters", "", StringComparison.Ordinal));
        Assert.Contains("quote a value", e.Message);
    }

    [Fact]
    public void A_database_file_that_is_the_sqlite_database_itself_a_folder_or_a_fifo_gets_a_clear_error()
    {
        var sqlite = _dir.File("o.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={sqlite};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE t(x)";
            cmd.ExecuteNonQuery();
        }
        File.SetUnixFileMode(sqlite, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", sqlite))));
        Assert.Contains($"which is a SQLite database, not a file holding the database's location; to use that database, set ORCHESTRATOR_DB={sqlite}", e.Message);

        Assert.Contains("which is a folder", Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", _dir.Path)))).Message);
        var fifo = _dir.File("fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Assert.Contains("not a regular file", Assert.Throws<StoreLocationException>(() => StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB_FILE", fifo)))).Message);
        Assert.Contains("holds control characters", Assert.Throws<StoreLocationException>(() => StoreLocation.Parse("a\0b", "ORCHESTRATOR_DB", commandLine: false)).Message);
    }

    [Fact]
    public void A_password_file_that_is_missing_a_folder_or_readable_by_others_is_refused_when_it_would_be_read()
    {
        const string url = "postgresql://ann@db/study";
        StoreLocationException Refused(string passfile) => Assert.Throws<StoreLocationException>(() =>
            StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", url), ("PGPASSFILE", passfile))));

        var missing = Refused("/nonexistent");
        Assert.Equal("PGPASSFILE (/nonexistent)", missing.Setting);
        Assert.Contains("PGPASSFILE names /nonexistent, which does not exist; create it", missing.Message);
        Assert.Contains("which is a folder", Refused(_dir.Path).Message);
        var open = _dir.Write("pgpass", "db:5432:*:ann:pw\n");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var shared = Refused(open);
        Assert.Contains("may be read by other users (mode 0604)", shared.Message);
        Assert.Contains($"chmod 600 {open}", shared.Message);
        Assert.DoesNotContain("pw", shared.Message.Replace("passwords", "", StringComparison.Ordinal));

        // Not read, so not checked: a password of the setting's own, or PGPASSWORD; /dev/null means none.
        Assert.True(StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", url), ("PGPASSFILE", "/nonexistent"), ("PGPASSWORD", "x"))).Kind == StoreKind.Postgres);
        Assert.True(StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", "postgresql://ann:x@db/study"), ("PGPASSFILE", open))).HasPassword);
        Assert.Equal(StoreKind.Postgres, StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", url), ("PGPASSFILE", "/dev/null"))).Kind);
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(StoreKind.Postgres, StoreLocation.Resolve(null, "/r", Env(("ORCHESTRATOR_DB", url), ("PGPASSFILE", open))).Kind);
    }
}
