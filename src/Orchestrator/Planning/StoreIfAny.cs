using Core.Store;

namespace Orchestrator.Planning;

/// <summary>The store for reading, if it already holds this tool's tables; null otherwise. What a dry run or a doctor reads: they create nothing.</summary>
internal static class StoreIfAny
{
    public static Database? Open(StoreLocation store, string results)
    {
        try
        {
            return Database.OpenReadOnly(store, results);
        }
        catch (DatabaseNotFoundException)
        {
            return null;
        }
        catch (EmptyDatabaseException) when (store.Kind == StoreKind.Postgres)
        {
            return null;
        }
    }
}
