namespace Piximi.Sweep.Storage.Postgres;

/// <summary>
/// PostgreSQL's own statements: the session's settings and the schema with its migrations, beside SQLite's
/// (<c>SqliteSql</c>) so the two can be read side by side: the same tables, columns and meanings, migration for
/// migration (the statements against the schema are <see cref="StoreSql"/>'s, shared by both). Differences, each for a reason:
/// integers are <c>bigint</c> (Dapper maps them to the same long fields); metrics are <c>double precision</c>, which
/// holds NaN, infinities and −0 as they are (SQLite needs NULL for NaN); timestamps stay ISO-8601 text as in SQLite
/// (<see cref="StoreTime"/>), so both backends hold the same values and a copied sweep compares equal.
/// </summary>
internal static class PostgresSql
{
    /// <summary>Serializes migrations between processes opening a new database at once (any constant key will do).</summary>
    public const long MigrationLockKey = 0x5049_5849_4D49_0001; // "PIXIMI" 1

    public const string LockMigrations = "SELECT pg_advisory_xact_lock(@key);";

    /// <summary>Readers: the server refuses any change in this session's transactions.</summary>
    public const string ReadOnlySession = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;";

    public const string SchemaVersionTableExists =
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version';";

    public const string UserTableCount =
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE';";

    public const string CreateSchemaVersionTable =
        """
        CREATE TABLE schema_version (
            id integer PRIMARY KEY CHECK (id = 1),
            version integer NOT NULL
        );
        INSERT INTO schema_version (id, version) VALUES (1, 0);
        """;

    public const string SelectSchemaVersion = "SELECT version FROM schema_version WHERE id = 1;";

    public const string UpdateSchemaVersion = "UPDATE schema_version SET version = @version WHERE id = 1;";

    /// <summary>
    /// <c>Migrations[i]</c> takes a database from schema version <c>i</c> to <c>i + 1</c>, the same step as SQLite's
    /// migration i. Append only.
    /// </summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: sweeps, their trials, and the trials' epochs.
        """
        CREATE TABLE sweeps (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL UNIQUE,
            definition_json text NOT NULL,
            created_at text NOT NULL
        );

        CREATE TABLE trials (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            sweep_id bigint NOT NULL REFERENCES sweeps (id),
            number bigint NOT NULL,
            optimizer text NOT NULL,
            loss text NOT NULL,
            learning_rate double precision NOT NULL,
            batch_size bigint NOT NULL,
            epochs bigint NOT NULL,
            time_budget_seconds double precision NULL,
            seed bigint NOT NULL,
            state text NOT NULL
                CHECK (state IN ('queued', 'running', 'completed', 'failed', 'diverged', 'pruned')),
            worker_id text NULL,
            attempts bigint NOT NULL DEFAULT 0,
            started_at text NULL,
            finished_at text NULL,
            heartbeat_at text NULL,
            message text NULL,
            UNIQUE (sweep_id, number)
        );

        CREATE INDEX trials_by_sweep_state_number ON trials (sweep_id, state, number);

        CREATE TABLE epochs (
            trial_id bigint NOT NULL REFERENCES trials (id),
            epoch bigint NOT NULL,
            loss double precision NULL,
            accuracy double precision NULL,
            val_loss double precision NULL,
            val_accuracy double precision NULL,
            seconds double precision NULL,
            images_per_second double precision NULL,
            recorded_at text NOT NULL,
            PRIMARY KEY (trial_id, epoch)
        );
        """,

        // 2: resumable trials (see SqliteSql's migration 2).
        """
        ALTER TABLE trials ADD COLUMN lost bigint NOT NULL DEFAULT 0;

        CREATE TABLE checkpoints (
            trial_id bigint PRIMARY KEY REFERENCES trials (id),
            epoch bigint NOT NULL,
            written_at text NOT NULL,
            data bytea NOT NULL,
            FOREIGN KEY (trial_id, epoch) REFERENCES epochs (trial_id, epoch)
        );
        """,

        // 3: the validation confusion matrix of a trial's final model.
        """
        CREATE TABLE evaluations (
            trial_id bigint PRIMARY KEY REFERENCES trials (id),
            class_names_json text NOT NULL,
            confusion_json text NOT NULL,
            recorded_at text NOT NULL
        );
        """,

        // 4: a trial's result epoch (early stopping) and a pruned trial's rung.
        """
        ALTER TABLE trials ADD COLUMN result_epoch bigint NULL;
        ALTER TABLE trials ADD COLUMN rung bigint NULL;
        """,

        // 5: the model is a parameter of each trial.
        """
        ALTER TABLE trials ADD COLUMN model text NOT NULL DEFAULT 'SimpleCNN';
        """,

        // 6: cluster launches and cancellation (see SqliteSql's migration 6).
        """
        CREATE TABLE launches (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            sweep_id bigint NOT NULL REFERENCES sweeps (id),
            kind text NOT NULL,
            job_id text NOT NULL,
            script_path text NULL,
            launched_at text NOT NULL
        );

        CREATE INDEX launches_by_sweep ON launches (sweep_id, id);

        CREATE TABLE cancellations (
            sweep_id bigint PRIMARY KEY REFERENCES sweeps (id),
            cancelled_at text NOT NULL,
            reason text NOT NULL
        );
        """,

        // 7: attempts and the live orchestrator (see SqliteSql's migration 7).
        """
        CREATE TABLE attempts (
            trial_id bigint NOT NULL REFERENCES trials (id),
            attempt bigint NOT NULL,
            worker_id text NOT NULL,
            started_at text NULL,
            start_epoch bigint NULL,
            ended_at text NULL,
            end_epoch bigint NULL,
            outcome text NULL CHECK (outcome IN ('completed', 'failed', 'diverged', 'pruned', 'released', 'lost')),
            reason text NULL,
            PRIMARY KEY (trial_id, attempt)
        );

        INSERT INTO attempts (trial_id, attempt, worker_id, started_at, start_epoch)
        SELECT id, attempts, coalesce(worker_id, ''), coalesce(started_at, heartbeat_at), NULL
        FROM trials WHERE state = 'running' AND attempts > 0;

        CREATE TABLE orchestrators (
            sweep_id bigint PRIMARY KEY REFERENCES sweeps (id),
            host text NOT NULL,
            pid bigint NOT NULL,
            started_at text NOT NULL,
            heartbeat_at text NOT NULL,
            grace_seconds double precision NOT NULL
        );
        """,

        // 8: the run policy (see SqliteSql's migration 8).
        """
        CREATE TABLE policies (
            sweep_id bigint PRIMARY KEY REFERENCES sweeps (id),
            deadline text NULL,
            max_trials bigint NULL,
            max_epochs bigint NULL,
            compute_hours double precision NULL,
            max_retries bigint NULL,
            updated_at text NOT NULL
        );
        """,

        // 9: the order epochs were stored in (see SqliteSql's migration 9). Inserts take EpochSeqLockKey first, so
        // that seq follows the commit order here too.
        """
        ALTER TABLE epochs ADD COLUMN seq bigint NOT NULL DEFAULT 0;

        UPDATE epochs SET seq = ordered.n
        FROM (SELECT trial_id, epoch, row_number() OVER (ORDER BY recorded_at, trial_id, epoch) AS n FROM epochs) AS ordered
        WHERE epochs.trial_id = ordered.trial_id AND epochs.epoch = ordered.epoch;

        CREATE UNIQUE INDEX epochs_by_seq ON epochs (seq);
        """,

        // 10: a trial's hyperparameters are one JSON document (SweepJson's form of Hyperparameters), so a new
        // hyperparameter needs no column, no migration and no change to the archive: documents written before it read
        // with its default. Filled from the columns in C# (StoreMigrations), which the next step then drops.
        """
        ALTER TABLE trials ADD COLUMN hyperparameters text NULL;
        """,

        // 11: the columns the documents replace; every row has its document now.
        StoreMigrations.DropHyperparameterColumns + "ALTER TABLE trials ALTER COLUMN hyperparameters SET NOT NULL;",

        // 12: what each sweep has spent (epochs stored, their summed finite seconds), kept as epochs are stored, so
        // that the epoch and compute budgets, checked in every claim's transaction, read one row instead of summing
        // every epoch of the sweep (a cost that grew with it). Filled from the epochs stored before.
        """
        CREATE TABLE sweep_usage (
            sweep_id bigint PRIMARY KEY REFERENCES sweeps (id),
            epochs bigint NOT NULL,
            seconds double precision NOT NULL
        );
        """ + StoreSql.InsertSpendFromEpochs(PostgresDialect.Finite("e.seconds")),
    ];
}
