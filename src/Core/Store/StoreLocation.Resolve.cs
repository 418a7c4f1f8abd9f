namespace Core.Store;

public sealed partial class StoreLocation
{
    /// <summary>The environment variable with the default database (a path, URL or connection string).</summary>
    public const string DbVariable = "ORCHESTRATOR_DB";

    /// <summary>The environment variable naming a file (mode 0600) whose first line is the default database; the place for a connection string with a password.</summary>
    public const string DbFileVariable = "ORCHESTRATOR_DB_FILE";

    /// <summary>
    /// The store a command uses: <paramref name="option"/> (<c>--db</c>) if given; else
    /// <c>ORCHESTRATOR_DB_FILE</c> or <c>ORCHESTRATOR_DB</c> (not both); else
    /// <c>&lt;results&gt;/orchestrator.db</c>. A password is refused on the command line (any user of
    /// the machine can read it there). Throws <see cref="StoreLocationException"/> naming the setting.
    /// </summary>
    /// <param name="optionName">The option <paramref name="option"/> came from, for messages (<c>--db</c>, or export's <c>--from</c>).</param>
    public static StoreLocation Resolve(string? option, string resultsFolder, Func<string, string?>? environment = null, string optionName = "--db")
    {
        environment ??= Environment.GetEnvironmentVariable;
        var location = Setting(option, resultsFolder, environment, optionName);
        location.CheckPasswordFile(environment);
        return location;
    }

    private static StoreLocation Setting(string? option, string resultsFolder, Func<string, string?> environment, string optionName)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Parse(option, optionName, commandLine: true);

        var file = environment(DbFileVariable);
        var value = environment(DbVariable);
        if (!string.IsNullOrWhiteSpace(file) && !string.IsNullOrWhiteSpace(value))
            throw new StoreLocationException(DbFileVariable,
                $"both {DbFileVariable} and {DbVariable} are set; set one of them (or pass --db)");
        if (!string.IsNullOrWhiteSpace(file)) return FromFile(file);
        if (!string.IsNullOrWhiteSpace(value)) return Parse(value, DbVariable, commandLine: false);
        return Parse(Path.Combine(resultsFolder, "orchestrator.db"), "the default (<results>/orchestrator.db)", commandLine: false);
    }

    /// <summary>Reads the database from the first non-empty line of a file that only its owner may read.</summary>
    private static StoreLocation FromFile(string file)
    {
        var origin = $"{DbFileVariable} ({file})";
        var path = Path.GetFullPath(file);
        var kind = Data.FileKind.Of(path);
        if (kind == Data.FileKindOf.Missing)
            throw new StoreLocationException(origin, $"{DbFileVariable} names {path}, which does not exist; write the database URL into it (chmod 600) or unset {DbFileVariable}");
        if (kind != Data.FileKindOf.Regular)
            throw new StoreLocationException(origin, $"{DbFileVariable} names {path}, which is {Data.FileKind.Describe(kind)}; name a text file (chmod 600) whose first line is the database URL");
        if (IsSqliteFile(path))
            throw new StoreLocationException(origin,
                $"{DbFileVariable} names {path}, which is a SQLite database, not a file holding the database's location; " +
                $"to use that database, set {DbVariable}={path} or pass --db {path} (and unset {DbFileVariable})");
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & others) != 0)
                throw new StoreLocationException(origin,
                    $"{path} may be read by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}), and it may hold a password; " +
                    $"make it private with `chmod 600 {path}`");
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreLocationException(origin, $"{path} cannot be read ({e.Message}); make it readable by you (chmod 600) or unset {DbFileVariable}");
        }
        var line = lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'))
                   ?? throw new StoreLocationException(origin, $"{path} is empty; write the database URL (e.g. postgresql://user:password@host:5432/db) on its first line");
        return Parse(line, origin, commandLine: false);
    }

    /// <summary>Whether <paramref name="path"/> begins with SQLite's file header ("SQLite format 3" and a NUL).</summary>
    private static bool IsSqliteFile(string path)
    {
        Span<byte> header = stackalloc byte[16];
        try
        {
            using var f = File.OpenRead(path);
            return f.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual("SQLite format 3\0"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
