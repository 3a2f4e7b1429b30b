using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Storage.Sqlite;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>What is particular to keeping the store in a SQLite file.</summary>
public sealed class SqliteStoreFile : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Is_created_with_its_missing_folders()
    {
        var path = _folder.File(Path.Combine("runs", "2026", "sweeps.db"));

        using (TrialStores.OpenSqlite(path))
        {
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Is_opened_in_wal_mode_with_normal_sync_foreign_keys_and_a_busy_timeout()
    {
        using var store = SqliteTrialStore.Open(_folder.File("sweeps.db"));

        Assert.Equal("wal", store.Pragma("journal_mode"));
        Assert.Equal("1", store.Pragma("synchronous")); // NORMAL
        Assert.Equal("1", store.Pragma("foreign_keys"));
        Assert.Equal("30000", store.Pragma("busy_timeout"));
        Assert.Equal("10000", store.Pragma("wal_autocheckpoint"));
    }

    [Fact]
    public void Is_left_whole_on_close_with_no_write_ahead_log_beside_it()
    {
        var path = _folder.File("sweeps.db");
        using (var store = TrialStores.OpenSqlite(path))
        {
            var sweep = store.CreateSweep(Definition(), Grid(3));
            store.ClaimNext(sweep.Id, "w");
            Assert.True(File.Exists(path + "-wal"));
        }

        // The last connection to close checkpoints and removes the log: nothing (no pool) kept the file open.
        Assert.Equal(["sweeps.db"], Directory.GetFiles(_folder.FullPath).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Waits_for_another_process_write_transaction_instead_of_failing()
    {
        var path = _folder.File("sweeps.db");
        using var store = TrialStores.OpenSqlite(path);
        var sweep = store.CreateSweep(Definition(), Grid(1));
        using var other = OpenRaw(path);
        using var write = other.BeginTransaction(deferred: false);
        var waited = Stopwatch.StartNew();

        var claim = Task.Run(() => store.ClaimNext(sweep.Id, "w"));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(claim.IsCompleted, "The claim did not wait for the other writer.");
        write.Commit();

        Assert.Equal(1, (await claim)?.Number);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Gives_up_with_busy_when_another_process_holds_the_write_lock_past_the_busy_timeout()
    {
        var path = _folder.File("sweeps.db");
        using var store = SqliteTrialStore.Open(path, busyTimeout: TimeSpan.FromMilliseconds(500));
        var sweep = store.CreateSweep(Definition(), Grid(1));
        using var other = OpenRaw(path);
        using var write = other.BeginTransaction(deferred: false);
        var waited = Stopwatch.StartNew();

        var error = Assert.Throws<SqliteException>(() => store.ClaimNext(sweep.Id, "w"));

        Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
        // SQLite's busy handler (0.5 s), then Microsoft.Data.Sqlite's own retries up to its whole-second timeout.
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
        write.Rollback();
        Assert.Equal(1, store.ClaimNext(sweep.Id, "w")?.Number);
    }

    [Fact]
    public void Is_refused_when_it_is_not_a_sqlite_database()
    {
        var path = _folder.File("notes.db");
        var text = new string('x', 4096);
        File.WriteAllText(path, text);

        var error = Assert.Throws<InvalidDataException>(() => TrialStores.OpenSqlite(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void Is_refused_when_it_is_another_programs_database_and_is_left_alone()
    {
        var path = _folder.File("shop.db");
        using (var connection = OpenRaw(path))
        {
            new SqliteCommand("CREATE TABLE customers (id INTEGER PRIMARY KEY);", connection).ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidDataException>(() => TrialStores.OpenSqlite(path));

        Assert.Contains("not a Piximi.Sweep trial store", error.Message, StringComparison.Ordinal);
        using (var connection = OpenRaw(path))
        {
            var tables = new SqliteCommand("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table';", connection)
                .ExecuteScalar();
            Assert.Equal("customers", tables);
            Assert.Equal("delete", new SqliteCommand("PRAGMA journal_mode;", connection).ExecuteScalar());
        }
    }

    /// <summary>A connection of the test's own, as another program would have; no pool keeps the file open after it.</summary>
    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }
}
