namespace Piximi.Sweep.Storage;

/// <summary>
/// Statements SQLite and PostgreSQL run word for word (schema version 7 on): the attempts record and the sweep's live
/// orchestrator. Plain SQL both accept, every value a parameter; the dialects' own files keep what differs.
/// </summary>
internal static class SharedSql
{
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

    /// <summary>
    /// Running trials with what recovery weighs: the current attempt's start epoch, the last stored epoch, and the
    /// earlier attempts lost without a new epoch since then (lost attempts that started at the last stored epoch: epochs
    /// only grow, so none was stored in them). The dialect adds what it needs to the condition, and the order.
    /// </summary>
    public const string SelectRunningTrials =
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

    // ---- The sweep's orchestrator (one run or resume at a time) ----

    private const string OrchestratorColumns =
        "sweep_id AS SweepId, host AS Host, pid AS Pid, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, grace_seconds AS GraceSeconds";

    public const string SelectOrchestrator = $"SELECT {OrchestratorColumns} FROM orchestrators WHERE sweep_id = @sweep";

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

    // ---- The run policy (schema version 8 on) ----

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

    // ---- Following a sweep: what is new, and counts (schema version 9 on) ----

    /// <summary>
    /// An epoch's place in the order epochs were stored (<c>epochs.seq</c>): one more than the largest, found through
    /// its index. Writers insert one at a time (SQLite's write lock; PostgreSQL's <c>EpochSeqLockKey</c>), so seq
    /// grows in commit order and a reader that has seen seq n has seen every epoch up to n.
    /// </summary>
    public const string NextEpochSeq = "(SELECT coalesce(max(seq), 0) + 1 FROM epochs)";

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
    /// <see cref="SelectEpochsSince"/>), never a walk over every trial of the sweep. The dialect adds how it matches a
    /// list of ids.
    /// </summary>
    public const string SelectChangedTrials =
        $$"""
        SELECT {{StoreColumns.Trial}}
        FROM (SELECT id AS changed_id FROM trials WHERE sweep_id = @sweep AND state = 'running'
              UNION SELECT id FROM trials WHERE id {0}
              UNION SELECT trial_id FROM epochs WHERE seq > @after) AS changed
        CROSS JOIN trials
        WHERE trials.id = changed.changed_id AND trials.sweep_id = @sweep
        ORDER BY trials.number;
        """;
}
