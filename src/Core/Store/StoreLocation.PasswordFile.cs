namespace Core.Store;

public sealed partial class StoreLocation
{
    /// <summary>The standard variable naming the PostgreSQL password file (default <c>~/.pgpass</c>).</summary>
    public const string PassFileVariable = "PGPASSFILE";

    /// <summary>
    /// Checks the password file a PostgreSQL connection would read, before any connection does: only
    /// when the password comes from nowhere else (not the database setting, not <c>PGPASSWORD</c>).
    /// <c>PGPASSFILE</c> must name a regular file that exists (<c>/dev/null</c> reads as "no password
    /// file"); it, or <c>~/.pgpass</c>, must not be readable by other users (libpq ignores such a
    /// file, so a tool that used it would behave unlike psql). Throws <see cref="StoreLocationException"/>.
    /// </summary>
    private void CheckPasswordFile(Func<string, string?> environment)
    {
        if (Kind != StoreKind.Postgres || HasPassword || !string.IsNullOrEmpty(environment(PasswordVariable))) return;
        var named = environment(PassFileVariable);
        if (string.IsNullOrEmpty(named))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var standard = Path.Combine(home, ".pgpass");
            if (File.Exists(standard)) CheckPrivate(standard, "~/.pgpass", standard);
            return;
        }
        if (named == "/dev/null") return;
        var origin = $"{PassFileVariable} ({named})";
        var path = Path.GetFullPath(named);
        if (Directory.Exists(path))
            throw new StoreLocationException(origin, $"{PassFileVariable} names {path}, which is a folder; name the password file itself (lines host:port:database:user:password, chmod 600), or unset {PassFileVariable}");
        if (!File.Exists(path))
            throw new StoreLocationException(origin, $"{PassFileVariable} names {path}, which does not exist; create it (lines host:port:database:user:password, chmod 600), or unset {PassFileVariable}");
        CheckPrivate(path, origin, $"{PassFileVariable} names {path}, which");
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular file only its owner may read or write.</summary>
    private static void CheckPrivate(string path, string origin, string subject)
    {
        if (Data.FileKind.Of(path) is not Data.FileKindOf.Regular and var kind)
            throw new StoreLocationException(origin, $"{subject} is {Data.FileKind.Describe(kind)}; name a file with lines host:port:database:user:password (chmod 600)");
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & others) != 0)
            throw new StoreLocationException(origin,
                $"{subject} may be read by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}), and it holds passwords; " +
                $"PostgreSQL's own tools ignore such a file. Make it private with `chmod 600 {path}`");
    }
}
