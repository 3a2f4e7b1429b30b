using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Postgres;

/// <summary>
/// Every statement the PostgreSQL backend runs, beside the SQLite backend's (<c>SqliteSql</c>) so the two can be read
/// side by side: the same tables, columns and meanings, migration for migration. Differences, each for a reason:
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
    ];

    // ---- Sweeps ----

    private const string SweepColumns = "id AS Id, name AS Name, definition_json AS DefinitionJson, created_at AS CreatedAt";

    public const string SelectSweepByName = $"SELECT {SweepColumns} FROM sweeps WHERE name = @name;";

    public const string SelectSweepById = $"SELECT {SweepColumns} FROM sweeps WHERE id = @id;";

    public const string SelectSweeps = $"SELECT {SweepColumns} FROM sweeps ORDER BY id;";

    /// <summary>Nothing is returned when another creator inserted the name first: the caller then compares with theirs.</summary>
    public const string InsertSweep =
        """
        INSERT INTO sweeps (name, definition_json, created_at) VALUES (@Name, @DefinitionJson, @CreatedAt)
        ON CONFLICT (name) DO NOTHING
        RETURNING id;
        """;

    public const string InsertTrial =
        """
        INSERT INTO trials
            (sweep_id, number, optimizer, loss, learning_rate, batch_size, epochs, time_budget_seconds, seed, state, model)
        VALUES
            (@SweepId, @Number, @Optimizer, @Loss, @LearningRate, @BatchSize, @Epochs, @TimeBudgetSeconds, @Seed, 'queued', @Model);
        """;

    // ---- Trials ----

    private const string TrialColumns = StoreColumns.Trial;

    /// <summary>See SqliteSql's query of the same name; <c>total()</c> is SQLite's, <c>coalesce(sum(…), 0)</c> here.</summary>
    public static readonly string SelectTrialSummariesOfSweep = string.Format(CultureInfo.InvariantCulture, TrialSummaries, "", "");

    /// <summary>
    /// <see cref="SelectTrialSummariesOfSweep"/> for the trials in <c>@states</c> only, queued ones once claimed (by
    /// the state index; a trial never claimed has nothing to summarize): what best and status read, not every trial.
    /// </summary>
    public static readonly string SelectTrialSummariesInStates = string.Format(CultureInfo.InvariantCulture, TrialSummaries,
        " AND state STATES AND (state <> 'queued' OR attempts > 0)", " AND t.state STATES AND (t.state <> 'queued' OR t.attempts > 0)").Replace("STATES", "= ANY(@states)", StringComparison.Ordinal);

    private const string TrialSummaries =
        """
        SELECT t.id AS Id, t.sweep_id AS SweepId, t.number AS Number, t.optimizer AS Optimizer, t.loss AS Loss,
               t.learning_rate AS LearningRate, t.batch_size AS BatchSize, t.epochs AS Epochs,
               t.time_budget_seconds AS TimeBudgetSeconds, t.seed AS Seed, t.state AS State, t.worker_id AS WorkerId,
               t.attempts AS Attempts, t.started_at AS StartedAt, t.finished_at AS FinishedAt, t.message AS Message,
               t.heartbeat_at AS HeartbeatAt, t.lost AS Lost, t.result_epoch AS ResultEpoch, t.rung AS Rung, t.model AS Model,
               e.trial_id AS TrialId, e.epoch AS Epoch, e.loss AS Loss, e.accuracy AS Accuracy, e.val_loss AS ValLoss,
               e.val_accuracy AS ValAccuracy, e.seconds AS Seconds, e.images_per_second AS ImagesPerSecond,
               e.recorded_at AS RecordedAt,
               coalesce(a.epochs_run, 0) AS EpochsRun, coalesce(a.seconds, 0.0) AS TrainingSeconds
        FROM trials AS t
        LEFT JOIN (SELECT trial_id, max(epoch) AS last_epoch, count(*) AS epochs_run, coalesce(sum(seconds), 0.0) AS seconds
                   FROM epochs WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = @sweep{0})
                   GROUP BY trial_id) AS a ON a.trial_id = t.id
        LEFT JOIN epochs AS e ON e.trial_id = t.id AND e.epoch = coalesce(t.result_epoch, a.last_epoch)
        WHERE t.sweep_id = @sweep{1}
        ORDER BY t.number;
        """;

    /// <summary>
    /// The claim without a budget, in one statement: the sub-select locks the lowest-numbered queued row and skips rows
    /// another claimer has locked, so concurrent claimers each get a different trial without waiting for each other.
    /// </summary>
    public const string ClaimNext =
        $"""
        UPDATE trials
        SET state = 'running', worker_id = @worker, attempts = attempts + 1,
            started_at = @now, heartbeat_at = @now, finished_at = NULL, message = NULL
        WHERE id = (SELECT id FROM trials WHERE sweep_id = @sweep AND state = 'queued'
                    ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING {TrialColumns};
        """;

    /// <summary>
    /// Taken (for the transaction) before a claim with a budget and before adding a proposed trial: the count of
    /// trials that left the queue must not change between reading it and claiming, which SKIP LOCKED alone cannot
    /// promise. Keyed by the sweep, so sweeps never wait for each other.
    /// </summary>
    public const string LockSweepClaims = "SELECT pg_advisory_xact_lock(@sweep);";

    public const string SelectTrialCounts =
        """
        SELECT coalesce(max(number), 0) AS LastNumber, count(*) FILTER (WHERE state <> 'queued') AS Started
        FROM trials WHERE sweep_id = @sweep;
        """;

    public const string InsertClaimedTrial =
        $"""
        INSERT INTO trials
            (sweep_id, number, optimizer, loss, learning_rate, batch_size, epochs, time_budget_seconds, seed, state,
             worker_id, attempts, started_at, heartbeat_at, model)
        VALUES
            (@SweepId, @Number, @Optimizer, @Loss, @LearningRate, @BatchSize, @Epochs, @TimeBudgetSeconds, @Seed, 'running',
             @Worker, 1, @Now, @Now, @Model)
        RETURNING {TrialColumns};
        """;

    private const string HeldByLease = "id = @trial AND state = 'running' AND attempts = @attempt";

    public const string TouchLeasedTrial = $"UPDATE trials SET heartbeat_at = @now WHERE {HeldByLease};";

    public const string SelectTrialStateAndAttempts = "SELECT state AS State, attempts AS Attempts FROM trials WHERE id = @trial;";

    public const string SelectLastEpoch = "SELECT coalesce(max(epoch), 0) FROM epochs WHERE trial_id = @trial;";

    /// <summary>
    /// Taken (for the transaction) before epochs are inserted: their seq is one more than the largest committed, so
    /// inserts must not overlap, or a reader following seq could see a later epoch commit before an earlier one and
    /// never read the earlier. Store-wide; held from the insert to the commit, a few statements.
    /// </summary>
    public const long EpochSeqLockKey = 0x5049_5849_4D49_0002; // "PIXIMI" 2

    public const string LockEpochSeq = "SELECT pg_advisory_xact_lock(@key);";

    public const string InsertEpoch =
        $"""
        INSERT INTO epochs
            (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, images_per_second, recorded_at, seq)
        VALUES
            (@trial, @epoch, @loss, @accuracy, @val_loss, @val_accuracy, @seconds, @images_per_second, @now, {SharedSql.NextEpochSeq});
        """;

    public const string UpsertCheckpoint =
        """
        INSERT INTO checkpoints (trial_id, epoch, written_at, data) VALUES (@trial, @epoch, @now, @data)
        ON CONFLICT (trial_id) DO UPDATE SET epoch = excluded.epoch, written_at = excluded.written_at, data = excluded.data;
        """;

    public const string DeleteCheckpoint = "DELETE FROM checkpoints WHERE trial_id = @trial;";

    public const string UpsertEvaluation =
        $"""
        INSERT INTO evaluations (trial_id, class_names_json, confusion_json, recorded_at)
        SELECT id, @classes, @confusion, @now FROM trials WHERE {HeldByLease}
        ON CONFLICT (trial_id) DO UPDATE SET
            class_names_json = excluded.class_names_json, confusion_json = excluded.confusion_json, recorded_at = excluded.recorded_at;
        """;

    public const string SelectEvaluation =
        "SELECT trial_id AS TrialId, class_names_json AS ClassNamesJson, confusion_json AS ConfusionJson FROM evaluations WHERE trial_id = @trial;";

    public const string SelectCheckpoint =
        "SELECT trial_id AS TrialId, epoch AS Epoch, data AS Data FROM checkpoints WHERE trial_id = @trial;";

    public const string FinishLeasedTrial =
        $"""
        UPDATE trials SET state = @state, finished_at = @now, heartbeat_at = NULL, message = @message,
            result_epoch = @result_epoch, rung = @rung
        WHERE {HeldByLease};
        """;

    public const string SelectSweepUsage =
        """
        SELECT count(*) AS Epochs, coalesce(sum(e.seconds), 0.0) AS Seconds
        FROM epochs AS e WHERE e.trial_id IN (SELECT id FROM trials WHERE sweep_id = @sweep);
        """;

    public const string ReleaseLeasedTrial =
        $"""
        UPDATE trials SET state = 'queued', worker_id = NULL, started_at = NULL, heartbeat_at = NULL, message = @reason
        WHERE {HeldByLease};
        """;

    /// <summary>
    /// Locks the sweep's running trials for the recovery's transaction, so a holder's concurrent write waits and then
    /// finds its lease gone. A statement of its own, before <see cref="SelectRunningTrialsOfSweep"/>: a locking read
    /// that waited for a holder's epoch to commit sees the trial's row as committed, but its sub-selects of epochs
    /// from the snapshot it started with, so it would judge a loss by an epoch count already out of date. Read after
    /// the locks, the epochs are final: a holder stores one only while it holds the trial's row.
    /// </summary>
    public const string LockRunningTrialsOfSweep = "SELECT id FROM trials WHERE sweep_id = @sweep AND state = 'running' FOR UPDATE;";

    /// <summary>
    /// The trials <see cref="LockRunningTrialsOfSweep"/> locked (<c>@locked</c>), as recovery judges them: a trial claimed
    /// between the two statements is not locked, and its holder, just started, is left to the next recovery.
    /// </summary>
    public const string SelectRunningTrialsOfSweep = SharedSql.SelectRunningTrials + " AND t.id = ANY(@locked) ORDER BY t.number;";

    /// <summary>The row of a live orchestrator stays locked until the claim's transaction ends, so two claimers never both replace it.</summary>
    public const string SelectOrchestratorForUpdate = SharedSql.SelectOrchestrator + " FOR UPDATE;";

    /// <summary>As SqliteSql's: the statement is picked from this fixed list, so a metric name never becomes SQL text.</summary>
    public static readonly IReadOnlyDictionary<string, string> PruneCheckpointsByMetric = new Dictionary<string, string>
    {
        [MetricNames.ValAccuracy] = PruneCheckpoints("val_accuracy", MetricNames.HigherIsBetter(MetricNames.ValAccuracy)),
        [MetricNames.ValLoss] = PruneCheckpoints("val_loss", MetricNames.HigherIsBetter(MetricNames.ValLoss)),
        [MetricNames.Accuracy] = PruneCheckpoints("accuracy", MetricNames.HigherIsBetter(MetricNames.Accuracy)),
        [MetricNames.Loss] = PruneCheckpoints("loss", MetricNames.HigherIsBetter(MetricNames.Loss)),
    };

    /// <summary>
    /// As SqliteSql's. PostgreSQL sorts NaN above every number, so finite values are picked explicitly (NULL, NaN and
    /// ±Infinity are not ranked, as Ranking.Rank does not rank them).
    /// </summary>
    private static string PruneCheckpoints(string column, bool higherIsBetter) =>
        $"""
        DELETE FROM checkpoints
        WHERE trial_id IN (SELECT c.trial_id FROM checkpoints AS c CROSS JOIN trials AS t
                           WHERE t.id = c.trial_id AND t.sweep_id = @sweep AND t.state NOT IN ('queued', 'running'))
          AND trial_id IS DISTINCT FROM (
              SELECT t.id
              FROM checkpoints AS c CROSS JOIN trials AS t CROSS JOIN epochs AS e
              WHERE t.id = c.trial_id AND e.trial_id = t.id AND t.sweep_id = @sweep AND t.state = 'completed'
                AND e.epoch = coalesce(t.result_epoch, (SELECT max(epoch) FROM epochs WHERE trial_id = t.id))
                AND e.{column} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
              ORDER BY e.{column} {(higherIsBetter ? "DESC" : "ASC")}, t.number
              LIMIT 1);
        """;

    public const string SelectTrialsOfSweep = $"SELECT {TrialColumns} FROM trials WHERE sweep_id = @sweep ORDER BY number;";

    public const string SelectEpochsOfSweep =
        $"""
        SELECT {StoreColumns.Epoch}
        FROM epochs AS e JOIN trials AS t ON t.id = e.trial_id
        WHERE t.sweep_id = @sweep
        ORDER BY t.number, e.epoch;
        """;

    /// <summary>Npgsql sends the ids as one bigint[] (Dapper does not expand lists for it).</summary>
    public static readonly string SelectChangedTrials = string.Format(CultureInfo.InvariantCulture, SharedSql.SelectChangedTrials, "= ANY(@ids)");

    // ---- Launches and cancellation ----

    public const string InsertLaunch =
        """
        INSERT INTO launches (sweep_id, kind, job_id, script_path, launched_at)
        VALUES (@sweep, @kind, @job, @script, @now)
        RETURNING id AS Id, sweep_id AS SweepId, kind AS Kind, job_id AS JobId, script_path AS ScriptPath, launched_at AS LaunchedAt;
        """;

    public const string SelectLaunchesOfSweep =
        """
        SELECT id AS Id, sweep_id AS SweepId, kind AS Kind, job_id AS JobId, script_path AS ScriptPath, launched_at AS LaunchedAt
        FROM launches WHERE sweep_id = @sweep ORDER BY id;
        """;

    /// <summary>A second cancel keeps the first one's time and reason.</summary>
    public const string InsertCancellation =
        """
        INSERT INTO cancellations (sweep_id, cancelled_at, reason) SELECT id, @now, @reason FROM sweeps WHERE id = @sweep
        ON CONFLICT (sweep_id) DO NOTHING;
        """;

    public const string SelectCancellation =
        "SELECT sweep_id AS SweepId, cancelled_at AS CancelledAt, reason AS Reason FROM cancellations WHERE sweep_id = @sweep;";

    public const string DeleteCancellation = "DELETE FROM cancellations WHERE sweep_id = @sweep;";
}
