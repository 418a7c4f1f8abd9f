using Core.Store;

namespace Orchestrator.Serve;

/// <summary>
/// The view's one way into the store: opened read-only, and for SQLite checked to be still there
/// before each read, so a database that disappears while serving becomes an error in the page (and
/// the server goes on, reading it again once it is back).
/// </summary>
internal sealed class StoreGate(StoreLocation location, string resultsFolder)
{
    private Database? _db;

    public StoreLocation Location => location;

    public string ResultsFolder => resultsFolder;

    /// <summary>Opens the store read-only, as <see cref="Database.OpenReadOnly(StoreLocation, string?)"/> does; throws its <see cref="StoreException"/>s.</summary>
    public Database Open()
    {
        if (location.Kind == StoreKind.Sqlite && !File.Exists(location.SqlitePath))
        {
            _db = null;
            throw new DatabaseNotFoundException(location.Display);
        }
        return _db ??= Database.OpenReadOnly(location, resultsFolder);
    }

    public T Read<T>(Func<Database, T> read) => read(Open());
}
