using Piximi.Sweep.Storage.Postgres;
using Piximi.Sweep.Storage.Sqlite;

namespace Piximi.Sweep.Storage;

/// <summary>Where trial stores come from: the one public way to open a backend.</summary>
public static class TrialStores
{
    /// <summary>
    /// Opens the SQLite store at <paramref name="path"/>, creating its folder and file when missing and bringing an
    /// older file's schema up to date. Every process that shares the sweep (orchestrator, workers, readers) opens
    /// the same file with its own store. One store may be used from several threads; their calls take turns.
    /// </summary>
    /// <remarks>
    /// A call waits up to 30 s for another process's write transaction (they last well under a millisecond) and
    /// then throws <c>Microsoft.Data.Sqlite.SqliteException</c> with error code 5 (SQLITE_BUSY).
    /// </remarks>
    /// <exception cref="StoreVersionException">The file was written by a newer Piximi.Sweep.</exception>
    /// <exception cref="InvalidDataException">The file is not a Piximi.Sweep store.</exception>
    public static ITrialStore OpenSqlite(string path) => SqliteTrialStore.Open(path);

    /// <summary>
    /// Opens the PostgreSQL store a connection string (Npgsql key=value) names, creating the schema in an empty
    /// database and bringing an older one up to date. Workers on any machine that reaches the database share it.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The database cannot be reached or refuses the login; the message names it without credentials.</exception>
    /// <exception cref="StoreVersionException">The database was written by a newer Piximi.Sweep.</exception>
    /// <exception cref="InvalidDataException">The database holds tables of something else.</exception>
    public static ITrialStore OpenPostgres(string connectionString) => PostgresTrialStore.Open(connectionString);

    /// <summary>Opens the store at a location as <see cref="StoreLocations"/> reads it (PostgreSQL URL, <c>sqlite:path</c> or a path).</summary>
    public static ITrialStore Open(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return StoreLocations.IsPostgres(location)
            ? OpenPostgres(StoreLocations.PostgresConnectionString(location))
            : OpenSqlite(StoreLocations.SqlitePath(location)!);
    }
}
