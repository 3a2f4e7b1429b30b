namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// SQLite's own statements: the connection's settings, its transactions, and the schema with its migrations (the
/// statements against the schema are <see cref="StoreSql"/>'s, shared with PostgreSQL). Conventions of the schema:
/// trial states are lowercase words (<see cref="TrialStateWords"/>); a trial's hyperparameters are one JSON document
/// with optimizer, loss and model by their enum names, so reordering an enum cannot change what a stored trial means; timestamps are ISO-8601 UTC text with milliseconds
/// (<see cref="StoreTime"/>), which sorts as text, reads well in the sqlite3 shell and works with SQLite's date
/// functions; a NULL metric is a NaN, which SQLite cannot store as a REAL.
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

    /// <summary>Readers: SQLite refuses every change to the database on this connection.</summary>
    public const string QueryOnlyPragma = "PRAGMA query_only = ON;";
    public const string ConnectionPragmas =
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 10000;";

    // Writers take the write lock when the transaction starts, not at their first write: a deferred transaction that
    // reads and then writes can fail with SQLITE_BUSY_SNAPSHOT when another process committed in between, and no
    // busy handler can wait that out.
    public const string BeginImmediate = "BEGIN IMMEDIATE;";

    // Reads that must see one snapshot: a deferred transaction takes no write lock (a reader's connection may not),
    // and in WAL mode its first read fixes what every later statement of it sees.
    public const string BeginRead = "BEGIN DEFERRED;";
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

        // 2: resumable trials. lost counts the holders a trial lost (a dead or silent worker), apart from attempts,
        // which counts claims (and fences writes). A checkpoint is the latest one of its trial, of the trial's last
        // stored epoch: the composite key makes a checkpoint of an epoch that is not stored impossible. Data comes
        // last so that reading the other columns does not walk the blob's overflow pages. Not WITHOUT ROWID: that
        // suits small rows, and these are tens of kilobytes.
        """
        ALTER TABLE trials ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;

        CREATE TABLE checkpoints (
            trial_id INTEGER PRIMARY KEY REFERENCES trials (id),
            epoch INTEGER NOT NULL,
            written_at TEXT NOT NULL,
            data BLOB NOT NULL,
            FOREIGN KEY (trial_id, epoch) REFERENCES epochs (trial_id, epoch)
        ) STRICT;
        """,

        // 3: the validation confusion matrix of a trial's final model, for reports (per-class precision, recall and
        // F1 follow from it). JSON: a matrix of a few classes is small, and read whole or not at all.
        """
        CREATE TABLE evaluations (
            trial_id INTEGER PRIMARY KEY REFERENCES trials (id),
            class_names_json TEXT NOT NULL,
            confusion_json TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        """,

        // 4: smarter search. result_epoch: the epoch whose model is the trial's result when it is not the last one
        // (early stopping restored the best epoch's weights); NULL means the last stored epoch. rung: the ASHA or
        // Hyperband rung a pruned trial was judged at.
        """
        ALTER TABLE trials ADD COLUMN result_epoch INTEGER NULL;
        ALTER TABLE trials ADD COLUMN rung INTEGER NULL;
        """,

        // 5: the model is a parameter of each trial (a sweep may try several). Trials stored before were SimpleCNN,
        // the only model there was.
        """
        ALTER TABLE trials ADD COLUMN model TEXT NOT NULL DEFAULT 'SimpleCNN';
        """,

        // 6: cluster launches and cancellation. A launch is a batch job that runs workers of the sweep (kind 'slurm',
        // the scheduler's job id, the script submitted), kept so that cancelling the sweep can cancel its jobs. A
        // sweep with a cancellations row is cancelled: workers claim nothing and give their trials back; running or
        // resuming the sweep again deletes the row. Tables of their own rather than columns of sweeps, so the sweep
        // rows (and what reads them) stay as they were.
        """
        CREATE TABLE launches (
            id INTEGER PRIMARY KEY,
            sweep_id INTEGER NOT NULL REFERENCES sweeps (id),
            kind TEXT NOT NULL,
            job_id TEXT NOT NULL,
            script_path TEXT NULL,
            launched_at TEXT NOT NULL
        ) STRICT;

        CREATE INDEX launches_by_sweep ON launches (sweep_id, id);

        CREATE TABLE cancellations (
            sweep_id INTEGER PRIMARY KEY REFERENCES sweeps (id),
            cancelled_at TEXT NOT NULL,
            reason TEXT NOT NULL
        ) STRICT;
        """,

        // 7: attempts and the live orchestrator. An attempt is one claim of a trial (attempt n: its n-th, the number
        // that fences the holder's writes): who, when, the last stored epoch then (start_epoch), and once it ended, the
        // last stored epoch then, how (the final state's word, released or lost) and why. Recovery counts only losses
        // that stored no epoch against the retries, and reads that from here in its own transaction. A trial running
        // when the store is brought up to date gets its current attempt, from an epoch unknown (NULL: counted as no
        // progress, as every loss was before); earlier claims were never recorded and are not made up.
        // orchestrators: the run or resume running each sweep (one at a time), with its heartbeat and the grace after
        // which a silent one counts as gone, so that a second run is refused while the first lives and a run after
        // a crash is not.
        """
        CREATE TABLE attempts (
            trial_id INTEGER NOT NULL REFERENCES trials (id),
            attempt INTEGER NOT NULL,
            worker_id TEXT NOT NULL,
            started_at TEXT NULL,
            start_epoch INTEGER NULL,
            ended_at TEXT NULL,
            end_epoch INTEGER NULL,
            outcome TEXT NULL CHECK (outcome IN ('completed', 'failed', 'diverged', 'pruned', 'released', 'lost')),
            reason TEXT NULL,
            PRIMARY KEY (trial_id, attempt)
        ) STRICT, WITHOUT ROWID;

        INSERT INTO attempts (trial_id, attempt, worker_id, started_at, start_epoch)
        SELECT id, attempts, coalesce(worker_id, ''), coalesce(started_at, heartbeat_at), NULL
        FROM trials WHERE state = 'running' AND attempts > 0;

        CREATE TABLE orchestrators (
            sweep_id INTEGER PRIMARY KEY REFERENCES sweeps (id),
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            grace_seconds REAL NOT NULL
        ) STRICT;
        """,

        // 8: the run policy, stored with the sweep so that every worker, wherever it was started, obeys the same
        // budgets and retry rule (they travelled as worker arguments before). A row of its own, not columns of sweeps:
        // the definition is the sweep's identity, the policy is not (changing a budget never makes another sweep).
        // NULL sets no limit (max_retries: the default). A sweep without a row has no budgets, as before this step.
        """
        CREATE TABLE policies (
            sweep_id INTEGER PRIMARY KEY REFERENCES sweeps (id),
            deadline TEXT NULL,
            max_trials INTEGER NULL,
            max_epochs INTEGER NULL,
            compute_hours REAL NULL,
            max_retries INTEGER NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        """,

        // 9: the order epochs were stored in, so that readers that follow a sweep (run's progress, each worker's
        // pruner) read only the epochs stored since the last they saw, not every epoch of the sweep at every poll
        // and every decision. seq is store-wide, one more than the largest at each insert; SQLite's one writer at a
        // time makes that the commit order. Epochs stored before get theirs in the order they were recorded.
        """
        ALTER TABLE epochs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

        UPDATE epochs SET seq = ordered.n
        FROM (SELECT trial_id, epoch, row_number() OVER (ORDER BY recorded_at, trial_id, epoch) AS n FROM epochs) AS ordered
        WHERE epochs.trial_id = ordered.trial_id AND epochs.epoch = ordered.epoch;

        CREATE UNIQUE INDEX epochs_by_seq ON epochs (seq);
        """,

        // 10: a trial's hyperparameters are one JSON document (SweepJson's form of Hyperparameters), so a new
        // hyperparameter needs no column, no migration and no change to the archive: documents written before it read
        // with its default. Filled from the columns in C# (StoreMigrations), which the next step then drops.
        // NULL allowed only because SQLite cannot add a NOT NULL column without a default; every row has one.
        """
        ALTER TABLE trials ADD COLUMN hyperparameters TEXT NULL;
        """,

        // 11: the columns the documents replace (SQLite rewrites the table without them).
        StoreMigrations.DropHyperparameterColumns,

        // 12: what each sweep has spent (epochs stored, their summed finite seconds), kept as epochs are stored, so
        // that the epoch and compute budgets, checked in every claim's transaction, read one row instead of summing
        // every epoch of the sweep (a cost that grew with it). Filled from the epochs stored before.
        """
        CREATE TABLE sweep_usage (
            sweep_id INTEGER PRIMARY KEY REFERENCES sweeps (id),
            epochs INTEGER NOT NULL,
            seconds REAL NOT NULL
        ) STRICT;
        """ + StoreSql.InsertSpendFromEpochs(SqliteDialect.Finite("e.seconds")),
    ];
}
