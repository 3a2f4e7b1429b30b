using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage.Sqlite;
using Piximi.Sweep.Tests.Shared;
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
    public void Keeps_a_trials_hyperparameters_as_one_document_so_a_new_one_needs_no_column()
    {
        var path = _folder.File("sweeps.db");
        using var store = TrialStores.OpenSqlite(path);
        var sweep = store.CreateSweep(Definition(), Grid(2));

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var columns = new List<string>();
        using (var reader = new SqliteCommand("SELECT name FROM pragma_table_info('trials');", connection).ExecuteReader())
        {
            while (reader.Read()) columns.Add(reader.GetString(0));
        }

        Assert.Contains("hyperparameters", columns);
        var properties = typeof(Hyperparameters).GetProperties().Select(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
        Assert.Empty(columns.Intersect(properties));
        Assert.Equal(
            SweepJson.Serialize(Grid(2)[0]),
            new SqliteCommand("SELECT hyperparameters FROM trials WHERE number = 1;", connection).ExecuteScalar());

        // A document from a build with a hyperparameter this one lacks still reads; one without a hyperparameter this
        // build has reads with its default (model: SimpleCNN).
        new SqliteCommand(
            """UPDATE trials SET hyperparameters = '{"optimizer":"Adam","loss":"Hinge","learning_rate":0.1,"batch_size":8,"epochs":2,"time_budget":"00:20:00","seed":3,"dropout":0.5}' WHERE number = 2;""",
            connection).ExecuteNonQuery();
        Assert.Equal(
            new Hyperparameters(OptimizerKind.Adam, LossKind.Hinge, 0.1, 8, 2, TimeSpan.FromMinutes(20), 3),
            store.ListTrials(sweep.Id)[1].Hyperparameters);
    }

    [Fact]
    public void Is_opened_in_wal_mode_with_normal_sync_foreign_keys_and_a_busy_timeout()
    {
        using var store = SqliteTrialStore.Open(_folder.File("sweeps.db"));

        Assert.Equal("wal", store.Setting("journal_mode"));
        Assert.Equal("1", store.Setting("synchronous")); // NORMAL
        Assert.Equal("1", store.Setting("foreign_keys"));
        Assert.Equal("30000", store.Setting("busy_timeout"));
        Assert.Equal("10000", store.Setting("wal_autocheckpoint"));
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

        Assert.Contains("is not a Piximi.Sweep store", error.Message, StringComparison.Ordinal);
        using (var connection = OpenRaw(path))
        {
            var tables = new SqliteCommand("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table';", connection)
                .ExecuteScalar();
            Assert.Equal("customers", tables);
            Assert.Equal("delete", new SqliteCommand("PRAGMA journal_mode;", connection).ExecuteScalar());
        }
    }

    [Fact]
    public void A_version_one_file_is_migrated_to_the_current_version_and_keeps_its_sweeps_trials_and_epochs()
    {
        var path = _folder.File("v1.db");
        var grid = Grid(3);
        var definition = SweepJson.Serialize(Definition());
        WriteVersionOneFile(path, grid, definition);

        using var store = TrialStores.OpenSqlite(path);

        using (var connection = OpenRaw(path))
        {
            Assert.Equal((long)SqliteSchema.CurrentVersion, new SqliteCommand("SELECT version FROM schema_version;", connection).ExecuteScalar());
            Assert.Equal("ok", new SqliteCommand("PRAGMA integrity_check;", connection).ExecuteScalar());
        }

        var sweep = Assert.Single(store.ListSweeps());
        Assert.Equal(definition, SweepJson.Serialize(sweep.Definition));
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal(grid, trials.Select(t => t.Hyperparameters));
        Assert.Equal(
            [(TrialState.Completed, "w1", 1, 0), (TrialState.Running, "w2", 2, 0), (TrialState.Queued, null, 0, 0)],
            trials.Select(t => (t.State, t.WorkerId, t.Attempts, t.Lost)));
        Assert.All(trials, t => Assert.Equal((null, null), (t.ResultEpoch, t.Rung)));
        Assert.Equal(StoreTime.Parse("2026-11-28T20:07:30.250Z"), trials[1].HeartbeatAt);
        Assert.Equal([(1, 1), (1, 2), (2, 1)], store.ListEpochs(sweep.Id).Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.All(store.ListEpochs(sweep.Id), e => Assert.Equal(0.625, e.Metrics.ValLoss));
        Assert.All(trials, t => Assert.Null(store.LoadCheckpoint(t.Id)));
        // The running trial's holder goes on under its lease, after its stored epoch, now with a checkpoint.
        var lease = new TrialLease(trials[1].Id, 2);
        store.RecordEpoch(lease, Epoch(2), [4, 2]);
        var checkpoint = store.LoadCheckpoint(lease.TrialId)!;
        Assert.Equal(2, checkpoint.Epoch);
        Assert.Equal([4, 2], checkpoint.Data);
    }

    [Fact]
    public void Recovery_reads_stored_heartbeats_as_times_not_as_text()
    {
        var path = _folder.File("sweeps.db");
        using var store = TrialStores.OpenSqlite(path);
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var trials = new[] { store.ClaimNext(sweep.Id, "w1")!, store.ClaimNext(sweep.Id, "w2")!, store.ClaimNext(sweep.Id, "w3")! };
        var now = DateTimeOffset.UtcNow;
        using (var connection = OpenRaw(path))
        {
            // Text compared with SQLite's datetime('now', '-30 minutes') ("2026-11-29 18:20:48") would call a
            // same-day "2026-11-29T18:19:00.000Z" newer ('T' sorts after ' ') and never find it stale.
            foreach (var (trial, age) in trials.Zip([TimeSpan.FromMinutes(31), TimeSpan.FromMinutes(29), TimeSpan.FromDays(2)]))
            {
                Run(connection, "UPDATE trials SET heartbeat_at = @at WHERE id = @id;", ("@at", StoreTime.ToText(now - age)), ("@id", trial.Id));
            }
        }

        var recovered = store.RecoverLost(sweep.Id, TimeSpan.FromMinutes(30), [], maxRetries: 3, "no heartbeat for 30 min");

        Assert.Equal([1, 3], recovered.Select(r => r.Number));
        Assert.Equal(TrialState.Running, store.ListTrials(sweep.Id)[1].State);
    }

    [Fact]
    public void A_worker_killed_inside_an_epochs_transaction_leaves_its_last_committed_epoch_and_checkpoint_whole_and_nothing_of_the_next()
    {
        var path = _folder.File("sweeps.db");
        long sweepId;
        using (var store = TrialStores.OpenSqlite(path))
        {
            sweepId = store.CreateSweep(Definition(), Grid(2)).Id;
        }

        var checkpoint = new byte[300_000];
        new Random(7).NextBytes(checkpoint);
        var checkpointFile = _folder.File("epoch-1.checkpoint");
        File.WriteAllBytes(checkpointFile, checkpoint);
        var workerDll = Path.Combine(AppContext.BaseDirectory, "Piximi.Sweep.Storage.ClaimWorker.dll");
        using var worker = ClaimWorkerProcess.Start(
            workerDll, ["sqlite-die-in-epoch-2", path, sweepId.ToString(CultureInfo.InvariantCulture), "doomed", checkpointFile]);
        worker.WaitUntilReady(TimeSpan.FromSeconds(60));
        worker.Go();

        var (exitCode, lines, errors) = worker.WaitForExit(TimeSpan.FromSeconds(120));

        // A real abrupt death: abort() raised SIGABRT (128 + 6), with the transaction open and nothing cleaned up.
        Assert.True(exitCode == 134, $"The worker exited with {exitCode}, not by SIGABRT. Its output: {string.Join(" | ", lines)}. {errors}");
        Assert.Contains("dies inside epoch 2's transaction, before COMMIT", errors, StringComparison.Ordinal);
        var trialId = long.Parse(Assert.Single(lines, l => l.StartsWith("claimed ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.Equal($"claimed {trialId} 1", lines[0]);
        // Epoch 2's 8 MB did not fit SQLite's page cache, so most of its pages were already in the log file,
        // uncommitted, when the worker died: reopening must ignore them.
        var committed = WalBytes(lines, "committed ");
        var dying = WalBytes(lines, "dying ");
        Assert.True(
            dying - committed > 4 << 20,
            $"The log grew by {dying - committed} bytes in epoch 2's transaction: its pages had not spilled into it.");
        Assert.True(File.Exists(path + "-wal"), "The dead worker's log is gone: it did not die with the store open.");

        using (var connection = OpenRaw(path))
        {
            Assert.Equal("ok", new SqliteCommand("PRAGMA integrity_check;", connection).ExecuteScalar());
            Assert.Null(new SqliteCommand("PRAGMA foreign_key_check;", connection).ExecuteScalar());
        }

        using var reopened = TrialStores.OpenSqlite(path);
        var epoch = Assert.Single(reopened.ListEpochs(sweepId));
        Assert.Equal((trialId, new EpochMetrics(1, 0.5, 0.5, 0.5, 0.5, 0.001, 1000)), (epoch.TrialId, epoch.Metrics));
        var stored = reopened.LoadCheckpoint(trialId)!;
        Assert.Equal((trialId, 1, checkpoint.Length), (stored.TrialId, stored.Epoch, stored.Data.Length));
        Assert.True(checkpoint.AsSpan().SequenceEqual(stored.Data), "Epoch 1's checkpoint came back changed.");
        var trial = reopened.ListTrials(sweepId)[0];
        Assert.Equal((trialId, TrialState.Running, "doomed", 1, 0), (trial.Id, trial.State, trial.WorkerId, trial.Attempts, trial.Lost));
        Assert.True(reopened.Heartbeat(new TrialLease(trialId, 1)), "The dead worker's lease is not the trial's any more.");

        // And the sweep goes on: the dead worker's trial is recovered, and its next holder resumes after epoch 1.
        Assert.Single(reopened.RecoverLost(sweepId, TimeSpan.MaxValue, ["doomed"], maxRetries: 3, "worker died"));
        var resumed = TrialLease.Of(reopened.ClaimNext(sweepId, "w2")!);
        Assert.Equal(new TrialLease(trialId, 2), resumed);
        Assert.Equal(1, reopened.LoadCheckpoint(trialId)!.Epoch);
        reopened.RecordEpoch(resumed, Epoch(2), [1]);
        reopened.Finish(resumed, TrialState.Completed, null);
        Assert.Equal([1, 2], reopened.ListEpochs(sweepId).Select(e => e.Metrics.Epoch));
    }

    // ---- Readers never create or change a file ----

    [Fact]
    public void A_reader_refuses_what_is_not_a_store_and_leaves_the_folder_as_it_found_it()
    {
        var empty = _folder.File("empty.db");
        File.WriteAllBytes(empty, []);
        var text = _folder.File("notes.db");
        File.WriteAllText(text, new string('x', 4096));
        var shop = _folder.File("shop.db");
        using (var connection = OpenRaw(shop))
        {
            // Another program's database in WAL mode: opening it is what makes SQLite create a -wal and a -shm.
            Run(connection, "PRAGMA journal_mode = WAL;");
            Run(connection, "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        }

        var blank = _folder.File("blank.db");
        using (var connection = OpenRaw(blank))
        {
            Run(connection, "PRAGMA user_version = 1;");
        }

        var folder = Directory.CreateDirectory(_folder.File("results")).FullName;
        var before = Snapshot();

        Assert.StartsWith($"no store at {_folder.File("missing.db")}: there is no such file", Refused<StoreNotFoundException>(_folder.File("missing.db")));
        Assert.StartsWith($"no store at {empty}: the file is empty", Refused<StoreNotFoundException>(empty));
        Assert.StartsWith($"no store at {blank}: it is an empty SQLite database", Refused<StoreNotFoundException>(blank));
        Assert.StartsWith($"{folder} is a folder, not a store", Refused<StoreNotFoundException>(folder));
        Assert.StartsWith($"{text} is not a Piximi.Sweep store: it is not a SQLite database", Refused<InvalidDataException>(text));
        Assert.StartsWith($"{shop} is not a Piximi.Sweep store: it is another program's SQLite database", Refused<InvalidDataException>(shop));

        Assert.Equal(before, Snapshot());

        static string Refused<T>(string path) where T : Exception => Assert.Throws<T>(() => TrialStores.OpenReadOnly(path)).Message;
    }

    [Fact]
    public void A_reader_of_a_store_at_rest_leaves_it_byte_for_byte_and_alone_in_its_folder()
    {
        var path = _folder.File("sweeps.db");
        using (var store = TrialStores.OpenSqlite(path))
        {
            var sweep = store.CreateSweep(Definition(), Grid(3));
            store.ClaimNext(sweep.Id, "w");
        }

        var before = Snapshot();

        using (var reader = TrialStores.OpenReadOnly(path))
        {
            Assert.Equal(3, reader.ListTrials(Assert.Single(reader.ListSweeps()).Id).Count);
        }

        Assert.Equal(before, Snapshot());
        Assert.Equal(["sweeps.db"], Directory.GetFiles(_folder.FullPath).Select(Path.GetFileName));
    }

    [Fact]
    public void A_reader_of_a_version_one_file_reads_it_brought_up_to_date_in_memory_and_leaves_the_file_at_version_one()
    {
        var path = _folder.File("v1.db");
        WriteVersionOneFile(path, Grid(3), SweepJson.Serialize(Definition()));
        var before = Snapshot();

        using (var reader = TrialStores.OpenReadOnly(path))
        {
            var sweep = Assert.Single(reader.ListSweeps());
            Assert.Equal([TrialState.Completed, TrialState.Running, TrialState.Queued], reader.ListTrials(sweep.Id).Select(t => t.State));
            Assert.Equal(3, reader.ListEpochs(sweep.Id).Count);
            Assert.Throws<StoreUnavailableException>(() => reader.ClaimNext(sweep.Id, "reader"));
        }

        Assert.Equal(before, Snapshot());
    }

    // ---- Surroundings that fail: said in words, naming the store ----

    [Fact]
    public void In_a_folder_that_cannot_be_written_a_reader_reads_the_store_and_a_writer_is_refused_naming_the_folder()
    {
        var folder = Directory.CreateDirectory(_folder.File("shared")).FullName;
        var path = Path.Combine(folder, "sweeps.db");
        using (var store = TrialStores.OpenSqlite(path))
        {
            store.CreateSweep(Definition(), Grid(2));
        }

        using (HostileDisks.Immutable(folder))
        {
            using (var reader = TrialStores.OpenReadOnly(path))
            {
                Assert.Equal(2, reader.ListTrials(Assert.Single(reader.ListSweeps()).Id).Count);
            }

            var existing = Assert.Throws<StoreUnavailableException>(() => TrialStores.OpenSqlite(path));
            Assert.StartsWith($"cannot use the store {path}: its folder {folder} cannot be written", existing.Message, StringComparison.Ordinal);
            var created = Assert.Throws<StoreUnavailableException>(() => TrialStores.OpenSqlite(Path.Combine(folder, "new.db")));
            Assert.Contains($"its folder {folder} cannot be written", created.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["sweeps.db"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_writer_is_refused_a_file_that_cannot_be_written_and_a_folder_given_as_the_store()
    {
        var path = _folder.File("sweeps.db");
        using (var store = TrialStores.OpenSqlite(path))
        {
            store.CreateSweep(Definition(), Grid(2));
        }

        using (HostileDisks.Immutable(path))
        {
            var error = Assert.Throws<StoreUnavailableException>(() => TrialStores.OpenSqlite(path));
            Assert.StartsWith($"cannot use the store {path}: the file cannot be written", error.Message, StringComparison.Ordinal);
        }

        var folder = Assert.Throws<StoreNotFoundException>(() => TrialStores.OpenSqlite(_folder.FullPath));
        Assert.StartsWith($"{_folder.FullPath} is a folder, not a store", folder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_full_disk_a_new_store_and_a_write_to_an_open_one_are_refused_naming_the_store()
    {
        using var disk = HostileDisks.Mount(kilobytes: 512);
        var path = Path.Combine(disk.Path, "sweeps.db");
        using var store = TrialStores.OpenSqlite(path);
        store.CreateSweep(Definition(), Grid(1));
        disk.Fill();

        var full = Assert.Throws<StoreUnavailableException>(() => store.CreateSweep(Definition("another"), Grid(2000)));
        var fresh = Assert.Throws<StoreUnavailableException>(() => TrialStores.OpenSqlite(Path.Combine(disk.Path, "new.db")));

        Assert.Equal($"cannot use the store {path}: the disk is full. Free some space and try again.", full.Message);
        Assert.StartsWith($"cannot use the store {Path.Combine(disk.Path, "new.db")}: the disk is full", fresh.Message, StringComparison.Ordinal);
        Assert.Single(store.ListSweeps());
    }

    [Fact]
    public void A_writer_that_waits_out_another_programs_lock_says_so_naming_the_store()
    {
        var path = _folder.File("sweeps.db");
        using var store = GuardedStore.Wrap(SqliteTrialStore.Open(path, busyTimeout: TimeSpan.FromMilliseconds(500)), path);
        using var other = OpenRaw(path);
        Run(other, "BEGIN EXCLUSIVE;");

        var error = Assert.Throws<StoreUnavailableException>(() => store.CreateSweep(Definition(), Grid(1)));

        Assert.StartsWith($"cannot use the store {path}: another program holds its lock", error.Message, StringComparison.Ordinal);
        Run(other, "ROLLBACK;");
        Assert.Equal("mnist-grid", store.CreateSweep(Definition(), Grid(1)).Name);
    }

    private List<string> Snapshot() => FolderSnapshot.Of(_folder.FullPath);

    /// <summary>
    /// A file as the version-1 store left it: migration 1 is the schema it shipped (migrations are append only), in
    /// WAL mode, with a finished, a running and a queued trial of <paramref name="grid"/>.
    /// </summary>
    private static void WriteVersionOneFile(string path, IReadOnlyList<Hyperparameters> grid, string definition)
    {
        using (var connection = OpenRaw(path))
        {
            Run(connection, "PRAGMA journal_mode = WAL;");
            Run(connection, SqliteSql.CreateSchemaVersionTable);
            Run(connection, SqliteSql.Migrations[0]);
            Run(connection, "UPDATE schema_version SET version = 1;");
            Run(connection, "INSERT INTO sweeps VALUES (1, 'mnist-grid', @json, '2026-11-28T20:00:00.000Z');", ("@json", definition));
            (string State, string? Worker, long Attempts, string? Started, string? Finished, string? Heartbeat)[] rows =
            [
                ("completed", "w1", 1, "2026-11-28T20:00:01.000Z", "2026-11-28T20:05:00.000Z", "2026-11-28T20:05:00.000Z"),
                ("running", "w2", 2, "2026-11-28T20:06:00.000Z", null, "2026-11-28T20:07:30.250Z"),
                ("queued", null, 0, null, null, null),
            ];
            for (var i = 0; i < 3; i++)
            {
                var (h, row) = (grid[i], rows[i]);
                Run(
                    connection,
                    """
                    INSERT INTO trials (sweep_id, number, optimizer, loss, learning_rate, batch_size, epochs,
                        time_budget_seconds, seed, state, worker_id, attempts, started_at, finished_at, heartbeat_at)
                    VALUES (1, @number, @optimizer, @loss, @rate, @batch, @epochs, @budget, @seed, @state, @worker,
                        @attempts, @started, @finished, @heartbeat);
                    """,
                    ("@number", i + 1), ("@optimizer", h.Optimizer.ToString()), ("@loss", h.Loss.ToString()),
                    ("@rate", h.LearningRate), ("@batch", h.BatchSize), ("@epochs", h.Epochs),
                    ("@budget", h.TimeBudget?.TotalSeconds), ("@seed", h.Seed), ("@state", row.State),
                    ("@worker", row.Worker), ("@attempts", row.Attempts), ("@started", row.Started),
                    ("@finished", row.Finished), ("@heartbeat", row.Heartbeat));
            }

            foreach (var (trial, epoch) in new[] { (1, 1), (1, 2), (2, 1) })
            {
                Run(
                    connection,
                    "INSERT INTO epochs VALUES (@trial, @epoch, 0.5, 0.75, 0.625, 0.7, 1.5, 2000.0, '2026-11-28T20:03:00.000Z');",
                    ("@trial", trial), ("@epoch", epoch));
            }
        }

    }

    /// <summary>A connection of the test's own, as another program would have; no pool keeps the file open after it.</summary>
    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The size of the write-ahead log the worker printed on the line that starts with <paramref name="prefix"/>.</summary>
    private static long WalBytes(IReadOnlyList<string> lines, string prefix) =>
        long.Parse(Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..], CultureInfo.InvariantCulture);

    private static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = new SqliteCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }
}
