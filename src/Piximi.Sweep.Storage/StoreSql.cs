using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// Every statement <see cref="TrialStore"/> runs, for both databases: plain SQL that SQLite and PostgreSQL both accept,
/// every value a parameter, with the few fragments that differ (<see cref="StoreDialect"/>) put in where they go.
/// Conventions: trial states are lowercase words (<see cref="TrialStateWords"/>); timestamps are ISO-8601 UTC text
/// with milliseconds (<see cref="StoreTime"/>), which sorts as text in both; a trial's hyperparameters are
/// one JSON document (<see cref="SweepJson.Serialize(Hyperparameters)"/>), so a new hyperparameter needs no column. The schemas are the dialects' (SqliteSql, PostgresSql).
/// </summary>
internal sealed class StoreSql
{
    public StoreSql(StoreDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ClaimNext =
            $"""
            UPDATE trials
            SET state = 'running', worker_id = @worker, attempts = attempts + 1,
                started_at = @now, heartbeat_at = @now, finished_at = NULL, message = NULL
            WHERE id = (SELECT id FROM trials WHERE sweep_id = @sweep AND state = 'queued' ORDER BY number LIMIT 1{dialect.SkipLocked})
            RETURNING {StoreColumns.Trial};
            """;
        SelectTrialSummariesInStates = TrialSummaries(
            $" AND state {dialect.In("@states")} AND (state <> 'queued' OR attempts > 0)",
            $" AND t.state {dialect.In("@states")} AND (t.state <> 'queued' OR t.attempts > 0)");
        SelectChangedTrials =
            $"""
            SELECT {StoreColumns.Trial}
            FROM (SELECT id AS changed_id FROM trials WHERE sweep_id = @sweep AND state = 'running'
                  UNION SELECT id FROM trials WHERE id {dialect.In("@ids")}
                  UNION SELECT trial_id FROM epochs WHERE seq > @after) AS changed
            CROSS JOIN trials
            WHERE trials.id = changed.changed_id AND trials.sweep_id = @sweep
            ORDER BY trials.number;
            """;
        SelectEpochsOfTrials =
            $"""
            SELECT {StoreColumns.Epoch}
            FROM epochs AS e JOIN trials AS t ON t.id = e.trial_id
            WHERE t.sweep_id = @sweep AND e.trial_id {dialect.In("@ids")}
            ORDER BY t.number, e.epoch;
            """;
        LockRunningTrialsOfSweep = $"SELECT id FROM trials WHERE sweep_id = @sweep AND state = 'running'{dialect.ForUpdate};";
        SelectLockedRunningTrials = $"{SelectRunningTrials} AND t.id {dialect.In("@locked")} ORDER BY t.number;";
        SelectOrchestratorForUpdate = $"{SelectOrchestrator}{dialect.ForUpdate};";
        PruneCheckpointsByMetric = MetricNames.All.ToDictionary(m => m, m => PruneCheckpoints(m, dialect));
        InsertImportedUsage = InsertSpendFromEpochs(dialect.IsFinite("e.seconds"), "WHERE t.sweep_id = @sweep");
    }

    /// <summary>
    /// The spend of sweeps summed from their stored epochs (epochs, and the seconds for which <paramref name="finite"/>
    /// holds), for those <paramref name="where"/> selects: what schema 12 fills in for the epochs stored before it, and
    /// what an imported sweep's epochs add; the same sum <see cref="AddEpochUsage"/> keeps one epoch at a time.
    /// </summary>
    public static string InsertSpendFromEpochs(string finite, string where = "") =>
        $"""
        INSERT INTO sweep_usage (sweep_id, epochs, seconds)
        SELECT t.sweep_id, count(*), coalesce(sum(CASE WHEN {finite} THEN e.seconds END), 0.0)
        FROM epochs AS e JOIN trials AS t ON t.id = e.trial_id
        {where}
        GROUP BY t.sweep_id;
        """;

    // ---- Sweeps ----

    private const string SweepColumns = "id AS Id, name AS Name, definition_json AS DefinitionJson, created_at AS CreatedAt";

    public const string SelectSweepByName = $"SELECT {SweepColumns} FROM sweeps WHERE name = @name;";

    public const string SelectSweepById = $"SELECT {SweepColumns} FROM sweeps WHERE id = @id;";

    public const string SelectSweeps = $"SELECT {SweepColumns} FROM sweeps ORDER BY id;";

    /// <summary>Nothing is returned when another creator inserted the name a moment ago (PostgreSQL: no lock keeps it out).</summary>
    public const string InsertSweep =
        """
        INSERT INTO sweeps (name, definition_json, created_at) VALUES (@Name, @DefinitionJson, @CreatedAt)
        ON CONFLICT (name) DO NOTHING
        RETURNING id;
        """;

    public const string InsertTrial =
        """
        INSERT INTO trials (sweep_id, number, hyperparameters, state) VALUES (@SweepId, @Number, @Hyperparameters, 'queued');
        """;

    // ---- Claims and leases ----

    /// <summary>
    /// The claim, in one statement: the lowest-numbered queued trial, locked (PostgreSQL skips a row another claimer
    /// holds; SQLite's write transaction has no other claimer), becomes the worker's. The budgets are checked before,
    /// in the same transaction (<see cref="StorePolicies.Refusal"/>). A re-queued trial keeps its epochs and checkpoint.
    /// </summary>
    public string ClaimNext { get; }

    /// <summary>The highest trial number of a sweep (0 for none), and how many trials have left the queue.</summary>
    public const string SelectTrialCounts =
        """
        SELECT coalesce(max(number), 0) AS LastNumber, count(*) FILTER (WHERE state <> 'queued') AS Started
        FROM trials WHERE sweep_id = @sweep;
        """;

    /// <summary>A proposed trial, added already claimed by its proposer (its first attempt).</summary>
    public const string InsertClaimedTrial =
        $"""
        INSERT INTO trials (sweep_id, number, hyperparameters, state, worker_id, attempts, started_at, heartbeat_at)
        VALUES (@SweepId, @Number, @Hyperparameters, 'running', @Worker, 1, @Now, @Now)
        RETURNING {StoreColumns.Trial};
        """;

    // The lease fence, shared by every write of a holder: the trial is still running, and nobody claimed it since
    // this holder did (a claim raises attempts, so an old holder's attempt no longer matches).
    private const string HeldByLease = "id = @trial AND state = 'running' AND attempts = @attempt";

    /// <summary>A heartbeat, and the fence of an epoch's write: no row changed means the lease is lost.</summary>
    public const string TouchLeasedTrial = $"UPDATE trials SET heartbeat_at = @now WHERE {HeldByLease};";

    /// <summary>What a refused lease is told: the trial as it is now.</summary>
    public const string SelectTrialStateAndAttempts = "SELECT state AS State, attempts AS Attempts FROM trials WHERE id = @trial;";

    /// <summary>The heartbeat goes: it is a running trial's sign of life, and the trial no longer runs.</summary>
    public const string FinishLeasedTrial =
        $"""
        UPDATE trials SET state = @state, finished_at = @now, heartbeat_at = NULL, message = @message,
            result_epoch = @result_epoch, rung = @rung
        WHERE {HeldByLease};
        """;

    /// <summary>Back in the queue as if never claimed, but for attempts, lost, epochs and checkpoint.</summary>
    public const string ReleaseLeasedTrial =
        $"""
        UPDATE trials SET state = 'queued', worker_id = NULL, started_at = NULL, heartbeat_at = NULL, message = @reason
        WHERE {HeldByLease};
        """;

    // ---- Attempts ----

    /// <summary>The trial's last stored epoch (0 for none), inside a statement about trial <c>@trial</c>.</summary>
    private const string LastEpochOfTrial = "coalesce((SELECT max(epoch) FROM epochs WHERE trial_id = @trial), 0)";

    /// <summary>
    /// A claim's attempt, in the claim's transaction: its number (the trial's attempts count, the lease) and where the
    /// trial stood, so that recovery can tell an attempt that stored epochs from one that did not.
    /// </summary>
    public const string InsertAttempt =
        $"""
        INSERT INTO attempts (trial_id, attempt, worker_id, started_at, start_epoch)
        VALUES (@trial, @attempt, @worker, @now, {LastEpochOfTrial});
        """;

    /// <summary>
    /// Ends the attempt, in the transaction that ends its hold (finish, release, recovery), with the last stored epoch
    /// then. Only an open attempt: an ended one keeps how it ended.
    /// </summary>
    public const string EndAttempt =
        $"""
        UPDATE attempts SET ended_at = @now, end_epoch = {LastEpochOfTrial}, outcome = @outcome, reason = @reason
        WHERE trial_id = @trial AND attempt = @attempt AND outcome IS NULL;
        """;

    public const string AttemptColumns =
        """
        a.trial_id AS TrialId, a.attempt AS Attempt, a.worker_id AS WorkerId, a.started_at AS StartedAt,
        a.start_epoch AS StartEpoch, a.ended_at AS EndedAt, a.end_epoch AS EndEpoch, a.outcome AS Outcome, a.reason AS Reason
        """;

    public const string SelectAttemptsOfSweep =
        $"""
        SELECT {AttemptColumns}
        FROM attempts AS a JOIN trials AS t ON t.id = a.trial_id
        WHERE t.sweep_id = @sweep
        ORDER BY t.number, a.attempt;
        """;

    // ---- Recovery ----

    /// <summary>
    /// The sweep's running trials, locked for the recovery's transaction (PostgreSQL: a holder's concurrent write waits
    /// and then finds its lease gone; SQLite's write transaction already excludes it). A statement of its own, before
    /// <see cref="SelectLockedRunningTrials"/>: a PostgreSQL locking read that waited for a holder's epoch to commit sees
    /// the trial's row as committed but its sub-selects of epochs from the snapshot it started with, so it would judge
    /// a loss by an epoch count already out of date. Read after the locks, the epochs are final.
    /// </summary>
    public string LockRunningTrialsOfSweep { get; }

    /// <summary>
    /// Running trials with what recovery weighs: the current attempt's start epoch, the last stored epoch, and the
    /// earlier attempts lost without a new epoch since then (lost attempts that started at the last stored epoch: epochs
    /// only grow, so none was stored in them).
    /// </summary>
    private const string SelectRunningTrials =
        """
        SELECT t.id AS Id, t.number AS Number, t.worker_id AS WorkerId, t.heartbeat_at AS HeartbeatAt, t.lost AS Lost,
               t.attempts AS Attempt, a.start_epoch AS StartEpoch,
               coalesce((SELECT max(epoch) FROM epochs WHERE trial_id = t.id), 0) AS LastEpoch,
               (SELECT count(*) FROM attempts AS p
                WHERE p.trial_id = t.id AND p.outcome = 'lost'
                  AND p.start_epoch = coalesce((SELECT max(epoch) FROM epochs WHERE trial_id = t.id), 0)) AS LostWithoutProgress
        FROM trials AS t LEFT JOIN attempts AS a ON a.trial_id = t.id AND a.attempt = t.attempts
        WHERE t.sweep_id = @sweep AND t.state = 'running'
        """;

    /// <summary>
    /// The trials <see cref="LockRunningTrialsOfSweep"/> locked (<c>@locked</c>), as recovery judges them: a trial
    /// claimed between the two statements is not locked, and its holder, just started, is left to the next recovery.
    /// </summary>
    public string SelectLockedRunningTrials { get; }

    /// <summary>Its holder is gone: back in the queue, one more loss counted. State re-checked: same transaction.</summary>
    public const string RequeueLostTrial =
        """
        UPDATE trials SET state = 'queued', worker_id = NULL, started_at = NULL, heartbeat_at = NULL,
            lost = @lost, message = @reason
        WHERE id = @trial AND state = 'running';
        """;

    /// <summary>Lost once too often. The worker id stays, as with any finished trial: the last one to hold it.</summary>
    public const string FailLostTrial =
        """
        UPDATE trials SET state = 'failed', finished_at = @now, heartbeat_at = NULL, lost = @lost, message = @reason
        WHERE id = @trial AND state = 'running';
        """;

    // ---- Epochs, checkpoints, evaluations ----

    /// <summary>0 for a trial without epochs; the next epoch must be this + 1.</summary>
    public const string SelectLastEpoch = "SELECT coalesce(max(epoch), 0) FROM epochs WHERE trial_id = @trial;";

    /// <summary>
    /// An epoch's place in the order epochs were stored (<c>epochs.seq</c>): one more than the largest, found through
    /// its index. Writers insert one at a time (SQLite's write lock; PostgreSQL's <see cref="StoreDialect.LockEpochSeq"/>),
    /// so seq grows in commit order and a reader that has seen seq n has seen every epoch up to n.
    /// </summary>
    public const string NextEpochSeq = "(SELECT coalesce(max(seq), 0) + 1 FROM epochs)";

    public const string InsertEpoch =
        $"""
        INSERT INTO epochs
            (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, images_per_second, recorded_at, seq)
        VALUES
            (@trial, @epoch, @loss, @accuracy, @val_loss, @val_accuracy, @seconds, @images_per_second, @now, {NextEpochSeq});
        """;

    /// <summary>Keeps only the latest checkpoint of a trial: the one of its last stored epoch.</summary>
    public const string UpsertCheckpoint =
        """
        INSERT INTO checkpoints (trial_id, epoch, written_at, data) VALUES (@trial, @epoch, @now, @data)
        ON CONFLICT (trial_id) DO UPDATE SET epoch = excluded.epoch, written_at = excluded.written_at, data = excluded.data;
        """;

    public const string DeleteCheckpoint = "DELETE FROM checkpoints WHERE trial_id = @trial;";

    public const string SelectCheckpoint =
        "SELECT trial_id AS TrialId, epoch AS Epoch, data AS Data FROM checkpoints WHERE trial_id = @trial;";

    /// <summary>Guarded by the lease in the same statement: no row is written for a trial this holder lost.</summary>
    public const string UpsertEvaluation =
        $"""
        INSERT INTO evaluations (trial_id, class_names_json, confusion_json, recorded_at)
        SELECT id, @classes, @confusion, @now FROM trials WHERE {HeldByLease}
        ON CONFLICT (trial_id) DO UPDATE SET
            class_names_json = excluded.class_names_json, confusion_json = excluded.confusion_json, recorded_at = excluded.recorded_at;
        """;

    public const string SelectEvaluation =
        "SELECT trial_id AS TrialId, class_names_json AS ClassNamesJson, confusion_json AS ConfusionJson FROM evaluations WHERE trial_id = @trial;";

    /// <summary>
    /// <see cref="ITrialResults.PruneCheckpoints"/> for each metric a sweep can be ranked by: the statement is picked
    /// from this fixed list, so the metric name a user wrote never becomes SQL text.
    /// </summary>
    public IReadOnlyDictionary<string, string> PruneCheckpointsByMetric { get; }

    /// <summary>
    /// One statement, so one transaction. Deletes the checkpoints of the sweep's finished trials but the best completed
    /// one's among those that have one (it reads the few checkpoints there are, not every trial: CROSS JOIN makes
    /// SQLite walk the checkpoints and look their trials up by key), ranked as <c>Ranking.Rank</c> ranks: by the result
    /// epoch's metric (the last, or early stopping's best), finite values only, ties to the lower number. With no such
    /// trial the sub-select is NULL, and <c>IS DISTINCT FROM</c> holds for every row: all of them go. Queued and running
    /// trials' checkpoints are never touched: their holders resume from them.
    /// </summary>
    private static string PruneCheckpoints(string metric, StoreDialect dialect)
    {
        // The column is one of the four metric names (snake case in both the metric names and the table).
        var column = metric;
        return $"""
            DELETE FROM checkpoints
            WHERE trial_id IN (SELECT c.trial_id FROM checkpoints AS c CROSS JOIN trials AS t
                               WHERE t.id = c.trial_id AND t.sweep_id = @sweep AND t.state NOT IN ('queued', 'running'))
              AND trial_id IS DISTINCT FROM (
                  SELECT t.id
                  FROM checkpoints AS c CROSS JOIN trials AS t CROSS JOIN epochs AS e
                  WHERE t.id = c.trial_id AND e.trial_id = t.id AND t.sweep_id = @sweep AND t.state = 'completed'
                    AND e.epoch = coalesce(t.result_epoch, (SELECT max(epoch) FROM epochs WHERE trial_id = t.id))
                    AND {dialect.IsFinite("e." + column)}
                  ORDER BY e.{column} {(MetricNames.HigherIsBetter(metric) ? "DESC" : "ASC")}, t.number
                  LIMIT 1);
            """;
    }

    // ---- Reading a sweep ----

    public const string SelectTrialsOfSweep = $"SELECT {StoreColumns.Trial} FROM trials WHERE sweep_id = @sweep ORDER BY number;";

    public const string SelectTrialByNumber = $"SELECT {StoreColumns.Trial} FROM trials WHERE sweep_id = @sweep AND number = @number;";

    public const string SelectEpochsOfSweep =
        $"""
        SELECT {StoreColumns.Epoch}
        FROM epochs AS e JOIN trials AS t ON t.id = e.trial_id
        WHERE t.sweep_id = @sweep
        ORDER BY t.number, e.epoch;
        """;

    /// <summary>The epochs of the trials <c>@ids</c> of sweep <c>@sweep</c>, by trial number and epoch (by the trial key).</summary>
    public string SelectEpochsOfTrials { get; }

    /// <summary>The largest seq stored, 0 for none (by the seq index): a position to follow every sweep from.</summary>
    public const string SelectEpochPosition = "SELECT coalesce(max(seq), 0) FROM epochs;";

    /// <summary>
    /// Epochs stored over every trial of a sweep and their summed finite seconds: what the epoch and compute budgets
    /// count, one row kept as epochs are stored (<see cref="AddEpochUsage"/>), none for a sweep without epochs.
    /// </summary>
    public const string SelectSweepUsage =
        """
        SELECT coalesce((SELECT epochs FROM sweep_usage WHERE sweep_id = @sweep), 0) AS Epochs,
               coalesce((SELECT seconds FROM sweep_usage WHERE sweep_id = @sweep), 0.0) AS Seconds;
        """;

    /// <summary>Adds an epoch of <c>@seconds</c> (0 when not finite) to the spend of trial <c>@trial</c>'s sweep, in the epoch's transaction.</summary>
    public const string AddEpochUsage =
        """
        INSERT INTO sweep_usage (sweep_id, epochs, seconds) SELECT sweep_id, 1, @seconds FROM trials WHERE id = @trial
        ON CONFLICT (sweep_id) DO UPDATE SET epochs = sweep_usage.epochs + 1, seconds = sweep_usage.seconds + excluded.seconds;
        """;

    /// <summary>An imported sweep's spend, summed from its epochs once they are written.</summary>
    public string InsertImportedUsage { get; }

    /// <summary>
    /// Every trial of a sweep with its result epoch (the last, unless early stopping kept an earlier one), its epoch
    /// count and its summed epoch seconds, in one pass: what ranking needs, without reading every epoch. The columns of
    /// trials are qualified (epochs has a loss column too); the last epoch's columns follow from e.trial_id on.
    /// </summary>
    public static readonly string SelectTrialSummariesOfSweep = TrialSummaries("", "");

    /// <summary>
    /// <see cref="SelectTrialSummariesOfSweep"/> for the trials in <c>@states</c> only, queued ones once claimed (by
    /// the state index; a trial never claimed has nothing to summarize): what best and status read, not every trial.
    /// </summary>
    public string SelectTrialSummariesInStates { get; }

    /// <summary><see cref="SelectTrialSummariesOfSweep"/> for trials 1 to <c>@count</c> (by the sweep-and-number key).</summary>
    public static readonly string SelectFirstTrialSummaries = TrialSummaries(" AND number <= @count", " AND t.number <= @count");

    private static string TrialSummaries(string inner, string outer) =>
        $"""
        SELECT {StoreColumns.QualifiedTrial},
               e.trial_id AS TrialId, e.epoch AS Epoch, e.loss AS Loss, e.accuracy AS Accuracy, e.val_loss AS ValLoss,
               e.val_accuracy AS ValAccuracy, e.seconds AS Seconds, e.images_per_second AS ImagesPerSecond,
               e.recorded_at AS RecordedAt,
               coalesce(a.epochs_run, 0) AS EpochsRun, coalesce(a.seconds, 0.0) AS TrainingSeconds
        FROM trials AS t
        LEFT JOIN (SELECT trial_id, max(epoch) AS last_epoch, count(*) AS epochs_run, coalesce(sum(seconds), 0.0) AS seconds
                   FROM epochs WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = @sweep{inner})
                   GROUP BY trial_id) AS a ON a.trial_id = t.id
        LEFT JOIN epochs AS e ON e.trial_id = t.id AND e.epoch = coalesce(t.result_epoch, a.last_epoch)
        WHERE t.sweep_id = @sweep{outer}
        ORDER BY t.number;
        """;

    // ---- Following a sweep: what is new, and counts ----

    /// <summary>The sweep's epochs stored after seq <c>@after</c>, in the order they were stored (by the seq index).</summary>
    /// <remarks>
    /// CROSS JOIN, not JOIN: SQLite then walks the new epochs by the seq index and looks each one's trial up by key,
    /// rather than walking every trial of the sweep (its own choice for a join, with no statistics), which would cost
    /// what the sweep holds. PostgreSQL plans a CROSS JOIN with a WHERE as any join.
    /// </remarks>
    public const string SelectEpochsSince =
        $"""
        SELECT e.seq AS Seq, {StoreColumns.Epoch}
        FROM epochs AS e CROSS JOIN trials AS t
        WHERE e.seq > @after AND t.id = e.trial_id AND t.sweep_id = @sweep
        ORDER BY e.seq;
        """;

    /// <summary>Trials by state, counted on the (sweep, state, number) index without reading the trials.</summary>
    public const string CountTrialsByState =
        "SELECT state AS State, count(*) AS Count FROM trials WHERE sweep_id = @sweep GROUP BY state;";

    /// <summary>
    /// The sweep's running trials, those asked for by id, and those with an epoch stored after seq <c>@after</c>, by
    /// number: three lookups by index (state, key, seq), then each trial by its key (CROSS JOIN: see
    /// <see cref="SelectEpochsSince"/>), never a walk over every trial of the sweep.
    /// </summary>
    public string SelectChangedTrials { get; }

    // ---- The sweep's orchestrator (one run or resume at a time) ----

    private const string OrchestratorColumns =
        "sweep_id AS SweepId, host AS Host, pid AS Pid, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, grace_seconds AS GraceSeconds";

    public const string SelectOrchestrator = $"SELECT {OrchestratorColumns} FROM orchestrators WHERE sweep_id = @sweep";

    /// <summary>The row of a live orchestrator stays locked until the claim's transaction ends, so two claimers never both replace it.</summary>
    public string SelectOrchestratorForUpdate { get; }

    /// <summary>Registers the caller when the sweep has no orchestrator row; nothing is returned when it has one.</summary>
    public const string InsertOrchestrator =
        $"""
        INSERT INTO orchestrators (sweep_id, host, pid, started_at, heartbeat_at, grace_seconds)
        SELECT id, @host, @pid, @now, @now, @grace FROM sweeps WHERE id = @sweep
        ON CONFLICT (sweep_id) DO NOTHING
        RETURNING {OrchestratorColumns};
        """;

    /// <summary>Takes the row over from an orchestrator that is gone.</summary>
    public const string ReplaceOrchestrator =
        $"""
        UPDATE orchestrators SET host = @host, pid = @pid, started_at = @now, heartbeat_at = @now, grace_seconds = @grace
        WHERE sweep_id = @sweep
        RETURNING {OrchestratorColumns};
        """;

    // An orchestrator is the row's holder while host, pid and start time are its own: one that was taken over (it
    // stopped beating past its grace, then came back) finds its beats refused.
    private const string HeldByOrchestrator = "sweep_id = @sweep AND host = @host AND pid = @pid AND started_at = @started";

    public const string BeatOrchestrator = $"UPDATE orchestrators SET heartbeat_at = @now WHERE {HeldByOrchestrator};";

    public const string DeleteOrchestrator = $"DELETE FROM orchestrators WHERE {HeldByOrchestrator};";

    // ---- The run policy ----

    public const string SelectPolicy =
        """
        SELECT deadline AS Deadline, max_trials AS MaxTrials, max_epochs AS MaxEpochs, compute_hours AS ComputeHours,
               max_retries AS MaxRetries
        FROM policies WHERE sweep_id = @sweep;
        """;

    /// <summary>The whole policy, replacing the stored one; no row is written for a sweep that is not stored.</summary>
    public const string UpsertPolicy =
        """
        INSERT INTO policies (sweep_id, deadline, max_trials, max_epochs, compute_hours, max_retries, updated_at)
        SELECT id, @deadline, @max_trials, @max_epochs, @compute_hours, @max_retries, @now FROM sweeps WHERE id = @sweep
        ON CONFLICT (sweep_id) DO UPDATE SET
            deadline = excluded.deadline, max_trials = excluded.max_trials, max_epochs = excluded.max_epochs,
            compute_hours = excluded.compute_hours, max_retries = excluded.max_retries, updated_at = excluded.updated_at;
        """;

    /// <summary>What the trial budget counts: trials that left the queue (a trial given back counts again once claimed).</summary>
    public const string CountStartedTrials = "SELECT count(*) FROM trials WHERE sweep_id = @sweep AND state <> 'queued';";

    // ---- Launches and cancellation ----

    private const string LaunchColumns =
        "id AS Id, sweep_id AS SweepId, kind AS Kind, job_id AS JobId, script_path AS ScriptPath, launched_at AS LaunchedAt";

    public const string InsertLaunch =
        $"""
        INSERT INTO launches (sweep_id, kind, job_id, script_path, launched_at)
        VALUES (@sweep, @kind, @job, @script, @now)
        RETURNING {LaunchColumns};
        """;

    public const string SelectLaunchesOfSweep = $"SELECT {LaunchColumns} FROM launches WHERE sweep_id = @sweep ORDER BY id;";

    /// <summary>A second cancel keeps the first one's time and reason: the sweep has been cancelled since then.</summary>
    public const string InsertCancellation =
        """
        INSERT INTO cancellations (sweep_id, cancelled_at, reason) SELECT id, @now, @reason FROM sweeps WHERE id = @sweep
        ON CONFLICT (sweep_id) DO NOTHING;
        """;

    public const string SelectCancellation =
        "SELECT sweep_id AS SweepId, cancelled_at AS CancelledAt, reason AS Reason FROM cancellations WHERE sweep_id = @sweep;";

    public const string DeleteCancellation = "DELETE FROM cancellations WHERE sweep_id = @sweep;";
}
