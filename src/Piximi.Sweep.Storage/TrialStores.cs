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
}
