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
    /// then throws <see cref="StoreUnavailableException"/> saying another program holds the lock. Every failure of the
    /// store's surroundings (a full disk, a read-only file or folder), at open or in any later call, is a
    /// <see cref="StoreUnavailableException"/> naming the store.
    /// </remarks>
    /// <exception cref="StoreVersionException">The file was written by a newer Piximi.Sweep.</exception>
    /// <exception cref="InvalidDataException">The file is not a Piximi.Sweep store.</exception>
    /// <exception cref="StoreUnavailableException">The path is a folder, or the file or its folder cannot be written.</exception>
    public static ITrialStore OpenSqlite(string path) => Guarded(SqliteTrialStore.Open(path));

    /// <summary>
    /// Opens the PostgreSQL store a connection string (Npgsql key=value) names, creating the schema in an empty
    /// database and bringing an older one up to date. Workers on any machine that reaches the database share it.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The database cannot be reached or refuses the login; the message names it without credentials.</exception>
    /// <exception cref="StoreVersionException">The database was written by a newer Piximi.Sweep.</exception>
    /// <exception cref="InvalidDataException">The database holds tables of something else.</exception>
    public static ITrialStore OpenPostgres(string connectionString) => Guarded(PostgresTrialStore.Open(connectionString));

    /// <summary>Opens the store at a location as <see cref="StoreLocations"/> reads it (PostgreSQL URL, <c>sqlite:path</c> or a path).</summary>
    public static ITrialStore Open(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return StoreLocations.IsPostgres(location)
            ? OpenPostgres(StoreLocations.PostgresConnectionString(location))
            : OpenSqlite(StoreLocations.SqlitePath(location)!);
    }

    /// <summary>
    /// Opens the store at a location for reading only (<c>best</c>, <c>status</c>, reports, the source of a copy):
    /// nothing is created, migrated or changed, whatever is found there. Any write through it fails.
    /// A SQLite store of an older schema is read through a copy in memory brought up to date; a PostgreSQL one is
    /// refused until a writer updates it.
    /// </summary>
    /// <exception cref="StoreNotFoundException">No store there: no file, an empty file, a folder, an empty database.</exception>
    /// <exception cref="InvalidDataException">Not a Piximi.Sweep store (another file, another program's database).</exception>
    /// <exception cref="StoreVersionException">Written by a newer Piximi.Sweep (or, PostgreSQL, an older one).</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be read or reached.</exception>
    public static ITrialStore OpenReadOnly(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return StoreLocations.IsPostgres(location)
            ? Guarded(PostgresTrialStore.Open(StoreLocations.PostgresConnectionString(location), readOnly: true))
            : Guarded(SqliteTrialStore.OpenReadOnly(StoreLocations.SqlitePath(location)!));
    }

    private static ITrialStore Guarded(TrialStore store) => GuardedStore.Wrap(store, store.Name);
}
