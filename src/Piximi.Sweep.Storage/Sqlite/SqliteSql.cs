namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// Every statement the SQLite backend runs, so the schema and the queries against it can be read side by side.
/// Conventions of the file: trial states are lowercase words (<see cref="TrialStateWords"/>); optimizer and loss are
/// the enum names, so reordering an enum cannot change what a stored trial means; timestamps are ISO-8601 UTC text
/// with milliseconds (<see cref="StoreTime"/>), which sorts as text, reads well in the sqlite3 shell and works with
/// SQLite's date functions; a NULL metric is a NaN, which SQLite cannot store as a REAL.
/// </summary>
internal static class SqliteSql
{
    // Set on every connection, outside any transaction (journal_mode and foreign_keys are ignored inside one).
    // busy_timeout first: switching a fresh file to WAL needs a lock that another opener may hold.
    // Microsoft.Data.Sqlite retries SQLITE_BUSY itself until the command timeout, but sleeps 150 ms between tries;
    // SQLite's own busy handler retries after 1, 2, 5, 10... ms, so a claim waiting on another's short write
    // transaction waits about as long as that transaction, not 150 ms.
    // synchronous=NORMAL in WAL mode syncs the WAL only at checkpoints, not at every commit: a commit survives the
    // crash of any process (it is in the OS page cache), but a power loss or OS crash may lose the last commits
    // (never corrupting the file). Losing the bookkeeping of the last trials to a power cut is acceptable (they are
    // run again); an fsync per commit (FULL) costs milliseconds each and would blow the 1 ms per trial budget.
    // wal_autocheckpoint at 10,000 pages (a WAL of up to ~40 MB, removed when the last store closes) instead of
    // 1,000: each checkpoint fsyncs twice and copies pages back, and at 1,000 they were about half of the bench's
    // 0.6 ms per trial (0.35 ms with 10,000). What a power loss can take is bounded by the OS's own write-back
    // (~30 s on Linux) more than by how often SQLite checkpoints.
    public const string BusyTimeoutPragma = "PRAGMA busy_timeout = {0};";
    public const string JournalModeWal = "PRAGMA journal_mode = WAL;";
    public const string ConnectionPragmas =
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 10000;";

    // Writers take the write lock when the transaction starts, not at their first write: a deferred transaction that
    // reads and then writes can fail with SQLITE_BUSY_SNAPSHOT when another process committed in between, and no
    // busy handler can wait that out.
    public const string BeginImmediate = "BEGIN IMMEDIATE;";
    public const string Commit = "COMMIT;";
    public const string Rollback = "ROLLBACK;";

    // ---- Schema ----

    public const string SchemaVersionTableExists =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version';";

    public const string UserTableCount = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%';";

    /// <summary>Tables, but no schema_version: another program's database. One statement, so one snapshot.</summary>
    public const string ForeignTableCount =
        """
        SELECT count(*) FROM sqlite_schema
        WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
          AND NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version');
        """;

    public const string CreateSchemaVersionTable =
        """
        CREATE TABLE schema_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        ) STRICT;
        INSERT INTO schema_version (id, version) VALUES (1, 0);
        """;

    public const string SelectSchemaVersion = "SELECT version FROM schema_version WHERE id = 1;";

    public const string UpdateSchemaVersion = "UPDATE schema_version SET version = @version WHERE id = 1;";

    /// <summary>
    /// <c>Migrations[i]</c> takes a file from schema version <c>i</c> to <c>i + 1</c>. Append only: a step that has
    /// shipped never changes, since files out there were made by it.
    /// </summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: sweeps, their trials, and the trials' epochs. STRICT, so a value of the wrong type is refused rather
        // than stored as whatever it was (SQLite >= 3.37; the bundled one is 3.49).
        """
        CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            definition_json TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE trials (
            id INTEGER PRIMARY KEY,
            sweep_id INTEGER NOT NULL REFERENCES sweeps (id),
            number INTEGER NOT NULL,
            optimizer TEXT NOT NULL,
            loss TEXT NOT NULL,
            learning_rate REAL NOT NULL,
            batch_size INTEGER NOT NULL,
            epochs INTEGER NOT NULL,
            time_budget_seconds REAL NULL,
            seed INTEGER NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('queued', 'running', 'completed', 'failed', 'diverged', 'pruned')),
            worker_id TEXT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NULL,
            finished_at TEXT NULL,
            heartbeat_at TEXT NULL,
            message TEXT NULL,
            UNIQUE (sweep_id, number)
        ) STRICT;

        -- Serves the claim (lowest queued number of a sweep) and the status counts.
        CREATE INDEX trials_by_sweep_state_number ON trials (sweep_id, state, number);

        -- The metrics are ANY, not REAL: a REAL column stores a whole-number double as an integer, which turns -0.0
        -- into 0.0, and metrics come back bit for bit. Only doubles (or NULL for NaN) are ever written to them.
        CREATE TABLE epochs (
            trial_id INTEGER NOT NULL REFERENCES trials (id),
            epoch INTEGER NOT NULL,
            loss ANY NULL,
            accuracy ANY NULL,
            val_loss ANY NULL,
            val_accuracy ANY NULL,
            seconds ANY NULL,
            images_per_second ANY NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (trial_id, epoch)
        ) STRICT, WITHOUT ROWID;
        """,
    ];

    // ---- Sweeps ----

    private const string SweepColumns = "id AS Id, name AS Name, definition_json AS DefinitionJson, created_at AS CreatedAt";

    public const string SelectSweepByName = $"SELECT {SweepColumns} FROM sweeps WHERE name = @name;";

    public const string SelectSweepById = $"SELECT {SweepColumns} FROM sweeps WHERE id = @id;";

    public const string SelectSweeps = $"SELECT {SweepColumns} FROM sweeps ORDER BY id;";

    public const string InsertSweep =
        """
        INSERT INTO sweeps (name, definition_json, created_at) VALUES (@Name, @DefinitionJson, @CreatedAt)
        RETURNING id;
        """;

    public const string InsertTrial =
        """
        INSERT INTO trials
            (sweep_id, number, optimizer, loss, learning_rate, batch_size, epochs, time_budget_seconds, seed, state)
        VALUES
            (@SweepId, @Number, @Optimizer, @Loss, @LearningRate, @BatchSize, @Epochs, @TimeBudgetSeconds, @Seed, 'queued');
        """;

    // ---- Trials ----

    private const string TrialColumns =
        """
        id AS Id, sweep_id AS SweepId, number AS Number, optimizer AS Optimizer, loss AS Loss,
        learning_rate AS LearningRate, batch_size AS BatchSize, epochs AS Epochs,
        time_budget_seconds AS TimeBudgetSeconds, seed AS Seed, state AS State, worker_id AS WorkerId,
        attempts AS Attempts, started_at AS StartedAt, finished_at AS FinishedAt, message AS Message
        """;

    /// <summary>
    /// The claim, in one statement: the sub-select and the update run under the one write lock, so two claimers
    /// (threads or processes) can never both see the same trial queued.
    /// </summary>
    public const string ClaimNext =
        $"""
        UPDATE trials
        SET state = 'running', worker_id = @worker, attempts = attempts + 1,
            started_at = @now, heartbeat_at = @now, finished_at = NULL, message = NULL
        WHERE id = (SELECT id FROM trials WHERE sweep_id = @sweep AND state = 'queued' ORDER BY number LIMIT 1)
        RETURNING {TrialColumns};
        """;

    /// <summary>A trial claimed again starts over at epoch 1, so the epochs of its abandoned attempt go.</summary>
    public const string DeleteEpochsOfTrial = "DELETE FROM epochs WHERE trial_id = @trial;";

    /// <summary>Also the state check of <see cref="InsertEpoch"/>: no row changed means the trial is not running.</summary>
    public const string TouchRunningTrial =
        "UPDATE trials SET heartbeat_at = @now WHERE id = @trial AND state = 'running';";

    public const string InsertEpoch =
        """
        INSERT INTO epochs
            (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, images_per_second, recorded_at)
        VALUES
            (@trial, @epoch, @loss, @accuracy, @val_loss, @val_accuracy, @seconds, @images_per_second, @now);
        """;

    public const string FinishRunningTrial =
        """
        UPDATE trials SET state = @state, finished_at = @now, heartbeat_at = @now, message = @message
        WHERE id = @trial AND state = 'running';
        """;

    public const string SelectTrialState = "SELECT state FROM trials WHERE id = @trial;";

    public const string RequeueRunning =
        """
        UPDATE trials SET state = 'queued', worker_id = NULL, started_at = NULL, heartbeat_at = NULL
        WHERE sweep_id = @sweep AND state = 'running';
        """;

    public const string SelectTrialsOfSweep = $"SELECT {TrialColumns} FROM trials WHERE sweep_id = @sweep ORDER BY number;";

    // ---- Epochs ----

    public const string SelectEpochsOfSweep =
        """
        SELECT e.trial_id AS TrialId, e.epoch AS Epoch, e.loss AS Loss, e.accuracy AS Accuracy, e.val_loss AS ValLoss,
               e.val_accuracy AS ValAccuracy, e.seconds AS Seconds, e.images_per_second AS ImagesPerSecond,
               e.recorded_at AS RecordedAt
        FROM epochs AS e JOIN trials AS t ON t.id = e.trial_id
        WHERE t.sweep_id = @sweep
        ORDER BY t.number, e.epoch;
        """;
}
