using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;
using SQLitePCL;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// Opens the trial store in one SQLite file, shared by the orchestrator, its workers and readers in other processes:
/// for writing (created and migrated when needed) or for reading (never created or changed). The store is the one
/// <see cref="TrialStore"/>, over a <see cref="SqliteDialect"/>. How SQLite (3.49, through Microsoft.Data.Sqlite 10)
/// treats the -wal and -shm files of a reader was tried on real files; SqliteStoreFile's reader tests hold what was found.
/// </summary>
internal static class SqliteTrialStore
{
    /// <summary>How long a call waits for another process's write lock before it fails.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>Opens (creating the folder and file when missing) and migrates the store at <paramref name="path"/>.</summary>
    /// <param name="path">The store file.</param>
    /// <param name="busyTimeout">How long to wait for another process's write lock; <see cref="DefaultBusyTimeout"/>.</param>
    /// <param name="beforeEpochCommit">
    /// TEST SEAM, never set outside tests: called inside <see cref="TrialStore.RecordEpoch"/>'s transaction once the epoch and
    /// its checkpoint are written, just before COMMIT, so that a test can kill the process (really, from inside the
    /// transaction) and show that the file holds the previous epoch, whole, and nothing of this one.
    /// </param>
    /// <exception cref="StoreUnavailableException">A folder, a file or folder that cannot be written, a full disk, a lock held past the timeout.</exception>
    public static TrialStore Open(
        string path, TimeSpan? busyTimeout = null, Action<TrialLease, EpochMetrics>? beforeEpochCommit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        RefuseFolder(fullPath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot use the store {fullPath}: its folder cannot be created ({e.Message}).", e);
        }

        var timeout = busyTimeout ?? DefaultBusyTimeout;
        var connection = Connect(fullPath, SqliteOpenMode.ReadWriteCreate, timeout);
        try
        {
            connection.Open();
            Configure(connection, fullPath, timeout);
            SqliteSchema.Migrate(connection, fullPath);
            // SQLite opens a file it may not write read-only without a word; a writer would then fail at its first
            // write, after the sweep's checks passed. Say so now.
            if (raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                throw new StoreUnavailableException(
                    WhyNotWritable(fullPath) ?? $"cannot use the store {fullPath}: SQLite can only read it (a read-only file or folder).",
                    new IOException("read-only database"));
            }

            return new TrialStore(new SqliteDialect(connection, fullPath), beforeEpochCommit);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            connection.Dispose();
            throw NotSqlite(fullPath, e);
        }
        catch (SqliteException e) when (StoreFailures.Explain(e, fullPath) is { } message)
        {
            connection.Dispose();
            var why = e.SqliteErrorCode is SqliteReadOnly or SqliteIoError or SqliteCantOpen ? WhyNotWritable(fullPath) : null;
            throw new StoreUnavailableException(why ?? message, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/> for reading only: a missing, empty or foreign file is refused
    /// without creating or changing anything, and no migration runs. A store of an older schema is read from a copy
    /// in memory brought up to date there, so the file stays as its writer left it.
    /// </summary>
    /// <exception cref="StoreNotFoundException">No file, an empty file or database, or a folder.</exception>
    /// <exception cref="InvalidDataException">A file that is not a SQLite database, or another program's database.</exception>
    /// <exception cref="StoreVersionException">A store written by a newer Piximi.Sweep.</exception>
    /// <exception cref="StoreUnavailableException">A file that cannot be read, or a lock held past the timeout.</exception>
    public static TrialStore OpenReadOnly(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        RefuseFolder(fullPath);
        // The header first, read as a plain file: SQLite would take a zero-byte file for a new database, and opening
        // a WAL file makes it create the -wal and -shm beside it.
        var walFile = ReadHeader(fullPath);
        var timeout = busyTimeout ?? DefaultBusyTimeout;
        // At rest (WAL file, no -wal beside it: no connection is open), SQLite still needs a -wal and a -shm to read
        // it. A read-only connection creates them and cannot remove them; a read-write one that makes no change
        // (query_only refuses every write) removes them on close as the last connection, checkpointing an empty log:
        // the folder is left as it was found. With a -wal there (a writer at work, or one that crashed) a read-only
        // connection reads through the writer's files and cannot change the store's file at all.
        var atRest = walFile && !File.Exists(fullPath + "-wal");
        var connection = Connect(fullPath, atRest ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadOnly, timeout);
        try
        {
            try
            {
                connection.Open();
                ConfigureReader(connection, timeout);
                RefuseNonStore(connection, fullPath);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen && atRest)
            {
                // A read-only folder (a read-only mount, a colleague's results): no -wal or -shm can be made, and
                // with no -wal no writer is at work, so the file is read as it is, as SQLite's immutable files are.
                connection.Dispose();
                connection = Connect(new Uri(fullPath).AbsoluteUri + "?immutable=1", SqliteOpenMode.ReadOnly, timeout);
                connection.Open();
                ConfigureReader(connection, timeout);
                RefuseNonStore(connection, fullPath);
            }

            var version = SqliteSchema.ReadVersion(connection)!.Value;
            if (version < SqliteSchema.CurrentVersion)
                connection = UpToDateInMemory(connection, fullPath);
            return new TrialStore(new SqliteDialect(connection, fullPath));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            connection.Dispose();
            throw NotSqlite(fullPath, e);
        }
        catch (SqliteException e) when (StoreFailures.Explain(e, fullPath) is { } message)
        {
            connection.Dispose();
            throw new StoreUnavailableException(message, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static SqliteConnection Connect(string dataSource, SqliteOpenMode mode, TimeSpan busyTimeout) => new(new SqliteConnectionStringBuilder
    {
        DataSource = dataSource,
        Mode = mode,
        // The store keeps its connection for its lifetime; a pool would only keep the file open after Dispose.
        Pooling = false,
        // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY, behind SQLite's busy handler (see SqliteSql).
        DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
    }.ToString());

    private static void Configure(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        connection.Execute(string.Format(
            CultureInfo.InvariantCulture, SqliteSql.BusyTimeoutPragma, (long)busyTimeout.TotalMilliseconds));
        // Before the journal mode, which is kept in the file: another program's database is left as it was.
        SqliteSchema.RefuseForeign(connection, path);
        var mode = connection.ExecuteScalar<string>(SqliteSql.JournalModeWal);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            // Without WAL, readers block writers and the reverse; on a network file system WAL is refused outright.
            throw new InvalidOperationException(
                $"{path} could not be switched to WAL journaling (it is in '{mode}' mode). " +
                "Put the store on a local disk.");
        }

        connection.Execute(SqliteSql.ConnectionPragmas);
    }

    private static void ConfigureReader(SqliteConnection connection, TimeSpan busyTimeout)
    {
        connection.Execute(string.Format(
            CultureInfo.InvariantCulture, SqliteSql.BusyTimeoutPragma, (long)busyTimeout.TotalMilliseconds));
        connection.Execute(SqliteSql.QueryOnlyPragma);
    }

    /// <summary>Another program's database, or one with no tables at all; a newer schema is refused naming both versions.</summary>
    private static void RefuseNonStore(SqliteConnection connection, string path)
    {
        SqliteSchema.RefuseForeign(connection, path);
        if (connection.ExecuteScalar<long>(SqliteSql.UserTableCount) == 0)
            throw new StoreNotFoundException($"no store at {path}: it is an empty SQLite database. {NoStoreHint}");
        SqliteSchema.RefuseNewer(SqliteSchema.ReadVersion(connection), path);
    }

    /// <summary>The store copied into memory (SQLite's online backup, a consistent snapshot) and migrated there.</summary>
    private static SqliteConnection UpToDateInMemory(SqliteConnection file, string path)
    {
        var memory = new SqliteConnection("Data Source=:memory:;Pooling=False");
        try
        {
            memory.Open();
            file.BackupDatabase(memory);
            file.Dispose();
            memory.Execute("PRAGMA foreign_keys = ON;");
            SqliteSchema.Migrate(memory, path);
            memory.Execute(SqliteSql.QueryOnlyPragma);
            return memory;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    private const string NoStoreHint = "Run a sweep there first, or open another store.";

    private static void RefuseFolder(string path)
    {
        if (Directory.Exists(path))
            throw new StoreNotFoundException($"{path} is a folder, not a store: open the store's file, e.g. {Path.Combine(path, "piximi-sweep.db")}.");
    }

    /// <summary>Whether the file is a SQLite database in WAL mode, from its 100-byte header; refuses anything that is not a database.</summary>
    private static bool ReadHeader(string path)
    {
        var header = new byte[100];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreNotFoundException($"no store at {path}: there is no such file. {NoStoreHint}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot use the store {path}: it cannot be read ({e.Message}).", e);
        }

        if (read == 0)
            throw new StoreNotFoundException($"no store at {path}: the file is empty. {NoStoreHint}");
        if (read < header.Length || !header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
            throw NotSqlite(path, inner: null);
        // Bytes 18 and 19, the file format's write and read versions: 2 is WAL (https://sqlite.org/fileformat.html).
        return header[18] == 2 && header[19] == 2;
    }

    private static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static InvalidDataException NotSqlite(string path, Exception? inner) =>
        new($"{path} is not a Piximi.Sweep store: it is not a SQLite database.", inner);

    /// <summary>
    /// What stops SQLite writing the store when it said only "I/O error" or "cannot open": a full disk, or the store's
    /// folder or file that cannot be written, found by trying; null when none of them.
    /// </summary>
    private static string? WhyNotWritable(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        // A full disk shows as an I/O error when SQLite cannot even make the -shm it maps (it writes each of its
        // pages first, so that a full tmpfs fails the write instead of killing the process with SIGBUS).
        if (FreeBytes(folder) is < 64 * 1024)
            return $"cannot use the store {path}: the disk is full. Free some space and try again.";
        try
        {
            using (File.Create(Path.Combine(folder, $".{name}.{Environment.ProcessId}.probe"), 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot use the store {path}: its folder {folder} cannot be written ({e.Message}); SQLite keeps " +
                   $"{name}-wal and {name}-shm beside the store, so its folder must be writable.";
        }

        if (!File.Exists(path)) return null;
        try
        {
            using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot use the store {path}: the file cannot be written ({e.Message}).";
        }

        return null;
    }
}
