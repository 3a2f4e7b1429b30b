using System.Data;
using System.Text.Json;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// A whole sweep as one store holds it, to move it to another store (<see cref="ISweepArchive.ExportSweep"/>,
/// <see cref="ISweepArchive.ImportSweep"/>): its definition and creation time, and every trial with all its columns,
/// epochs, checkpoint and evaluation. Ids are the exporting store's; an import gives the rows new ones.
/// </summary>
public sealed record SweepArchive(SweepDefinition Definition, DateTimeOffset CreatedAt, IReadOnlyList<TrialArchive> Trials)
{
    public string Name => Definition.Name;

    /// <summary>The sweep's stored run policy, or null when it has none: an import stores it as it is.</summary>
    public RunPolicy? Policy { get; init; }

    /// <summary>Trials whose holders work on the exporting store: an import re-queues them (keeping epochs and checkpoint, so they resume).</summary>
    public int RunningTrials => Trials.Count(t => t.Trial.State == TrialState.Running);
}

/// <summary>
/// One trial of a <see cref="SweepArchive"/>: its row, its epochs in order, its checkpoint, its evaluation, and its
/// recorded attempts in order (their trial ids are the exporting store's, as the trial's).
/// </summary>
public sealed record TrialArchive(
    TrialRecord Trial, IReadOnlyList<EpochRecord> Epochs, ArchivedCheckpoint? Checkpoint, ArchivedEvaluation? Evaluation,
    IReadOnlyList<TrialAttempt> Attempts);

/// <summary>A trial's stored checkpoint (always that of its last stored epoch), with when it was written.</summary>
public sealed record ArchivedCheckpoint(int Epoch, DateTimeOffset WrittenAt, byte[] Data);

/// <summary>A trial's stored evaluation, with when it was recorded.</summary>
public sealed record ArchivedEvaluation(IReadOnlyList<string> ClassNames, IReadOnlyList<IReadOnlyList<int>> Confusion, DateTimeOffset RecordedAt);

/// <summary>
/// Export and import for both backends: the tables are the same column for column, and these statements are plain
/// SQL both accept (all values parameters). The backend supplies the transaction and how it stores a metric (SQLite
/// has no NaN: NULL; PostgreSQL stores it as it is), so an imported sweep is what the backend itself would have written.
/// </summary>
internal static class SweepArchives
{
    /// <summary>The message of a re-queued running trial (and the reason its open attempt ends released): whoever ran it works on the other store.</summary>
    public const string RequeuedMessage = "re-queued by copy: it was running on the store it was copied from; it resumes after its last stored epoch";

    private const string SelectSweepIdByName = "SELECT id FROM sweeps WHERE name = @name;";

    private const string CountTrials = "SELECT count(*) FROM trials WHERE sweep_id = @sweep;";

    private const string SelectCheckpoints =
        """
        SELECT c.trial_id AS TrialId, c.epoch AS Epoch, c.written_at AS WrittenAt, c.data AS Data
        FROM checkpoints AS c JOIN trials AS t ON t.id = c.trial_id
        WHERE t.sweep_id = @sweep;
        """;

    private const string SelectEvaluations =
        """
        SELECT v.trial_id AS TrialId, v.class_names_json AS ClassNamesJson, v.confusion_json AS ConfusionJson,
               v.recorded_at AS RecordedAt
        FROM evaluations AS v JOIN trials AS t ON t.id = v.trial_id
        WHERE t.sweep_id = @sweep;
        """;

    private const string SelectAttempts =
        $"""
        SELECT {StoreSql.AttemptColumns}
        FROM attempts AS a JOIN trials AS t ON t.id = a.trial_id
        WHERE t.sweep_id = @sweep
        ORDER BY a.trial_id, a.attempt;
        """;

    private const string InsertAttempt =
        """
        INSERT INTO attempts (trial_id, attempt, worker_id, started_at, start_epoch, ended_at, end_epoch, outcome, reason)
        VALUES (@Trial, @Attempt, @WorkerId, @StartedAt, @StartEpoch, @EndedAt, @EndEpoch, @Outcome, @Reason);
        """;

    private const string InsertSweep =
        "INSERT INTO sweeps (name, definition_json, created_at) VALUES (@Name, @DefinitionJson, @CreatedAt) RETURNING id;";

    private const string InsertTrial =
        """
        INSERT INTO trials
            (sweep_id, number, hyperparameters,
             state, worker_id, attempts, started_at, finished_at, heartbeat_at, message, lost, result_epoch, rung)
        VALUES
            (@SweepId, @Number, @Hyperparameters,
             @State, @WorkerId, @Attempts, @StartedAt, @FinishedAt, @HeartbeatAt, @Message, @Lost, @ResultEpoch, @Rung)
        RETURNING id;
        """;

    private const string InsertEpoch =
        $"""
        INSERT INTO epochs
            (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, images_per_second, recorded_at, seq)
        VALUES
            (@Trial, @Epoch, @Loss, @Accuracy, @ValLoss, @ValAccuracy, @Seconds, @ImagesPerSecond, @RecordedAt, {StoreSql.NextEpochSeq});
        """;

    private const string InsertCheckpoint =
        "INSERT INTO checkpoints (trial_id, epoch, written_at, data) VALUES (@Trial, @Epoch, @WrittenAt, @Data);";

    private const string InsertEvaluation =
        """
        INSERT INTO evaluations (trial_id, class_names_json, confusion_json, recorded_at)
        VALUES (@Trial, @ClassNamesJson, @ConfusionJson, @RecordedAt);
        """;

    /// <summary>Reads the sweep whole; run it in one transaction (one snapshot), so the parts agree.</summary>
    public static SweepArchive Export(IDbConnection connection, IDbTransaction? tx, long sweepId, string store)
    {
        var sweep = connection.QuerySingleOrDefault<SweepRow>(StoreSql.SelectSweepById, new { id = sweepId }, tx)
            ?? throw new ArgumentOutOfRangeException(nameof(sweepId), sweepId, $"The store {store} has no sweep with id {sweepId}.");
        var epochs = connection.Query<EpochRow>(StoreSql.SelectEpochsOfSweep, new { sweep = sweepId }, tx)
            .GroupBy(e => e.TrialId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<EpochRecord>)[.. g.Select(e => e.ToRecord())]);
        var checkpoints = connection.Query<ArchivedCheckpointRow>(SelectCheckpoints, new { sweep = sweepId }, tx)
            .ToDictionary(c => c.TrialId, c => new ArchivedCheckpoint(checked((int)c.Epoch), StoreTime.Parse(c.WrittenAt), c.Data));
        var evaluations = connection.Query<ArchivedEvaluationRow>(SelectEvaluations, new { sweep = sweepId }, tx)
            .ToDictionary(v => v.TrialId, v => new ArchivedEvaluation(
                JsonSerializer.Deserialize<string[]>(v.ClassNamesJson) ?? [],
                JsonSerializer.Deserialize<int[][]>(v.ConfusionJson) ?? [],
                StoreTime.Parse(v.RecordedAt)));
        var attempts = connection.Query<AttemptRow>(SelectAttempts, new { sweep = sweepId }, tx)
            .GroupBy(a => a.TrialId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TrialAttempt>)[.. g.Select(a => a.ToRecord())]);
        var trials = connection.Query<TrialRow>(StoreSql.SelectTrialsOfSweep, new { sweep = sweepId }, tx)
            .Select(r => r.ToRecord())
            .Select(t => new TrialArchive(
                t,
                epochs.GetValueOrDefault(t.Id) ?? [],
                checkpoints.GetValueOrDefault(t.Id),
                evaluations.GetValueOrDefault(t.Id),
                attempts.GetValueOrDefault(t.Id) ?? []))
            .ToList();
        var record = sweep.ToRecord();
        var policy = connection.QuerySingleOrDefault<PolicyRow>(StoreSql.SelectPolicy, new { sweep = sweepId }, tx)?.ToRecord();
        return new SweepArchive(record.Definition, record.CreatedAt, trials) { Policy = policy };
    }

    /// <summary>
    /// Writes the sweep; run it in one transaction, which a throw rolls back whole. Refuses a name the store already
    /// has (<see cref="SweepConflictException"/>), before writing anything. <paramref name="metric"/>: a metric as the
    /// backend stores it.
    /// </summary>
    public static long Import(IDbConnection connection, IDbTransaction? tx, SweepArchive archive, string store, Func<double, double?> metric)
    {
        ArgumentNullException.ThrowIfNull(archive);
        Validate(archive);
        var json = SweepJson.Serialize(archive.Definition);
        if (connection.ExecuteScalar<long?>(SelectSweepIdByName, new { name = archive.Name }, tx) is { } existingId)
        {
            var existing = connection.QuerySingle<SweepRow>(StoreSql.SelectSweepById, new { id = existingId }, tx);
            var trials = connection.ExecuteScalar<long>(CountTrials, new { sweep = existingId }, tx);
            var same = SweepJson.SameSweep(existing.DefinitionJson, archive.Definition);
            throw new SweepConflictException(same
                ? $"The store {store} already has the sweep '{archive.Name}' (the same definition, {trials} trials there). " +
                  "Nothing was copied; continue it there, or delete it from that store first."
                : $"The store {store} already has a sweep named '{archive.Name}' with another definition ({trials} trials). " +
                  "Nothing was copied; rename one of them, or copy to another store.");
        }

        var sweepId = connection.ExecuteScalar<long>(
            InsertSweep, new { archive.Name, DefinitionJson = json, CreatedAt = StoreTime.ToText(archive.CreatedAt) }, tx);
        if (archive.Policy is { } policy)
        {
            StorePolicies.Save(connection, tx, sweepId, policy);
        }

        foreach (var trial in archive.Trials)
        {
            var t = trial.Trial;
            var running = t.State == TrialState.Running;
            var id = connection.ExecuteScalar<long>(InsertTrial, new
            {
                SweepId = sweepId,
                Number = (long)t.Number,
                Hyperparameters = SweepJson.Serialize(t.Hyperparameters),
                // A running trial's holder works on the other store: here it goes back to the queue, as a release
                // leaves it, keeping attempts, lost, epochs and checkpoint so that its next holder resumes.
                State = TrialStateWords.ToWord(running ? TrialState.Queued : t.State),
                WorkerId = running ? null : t.WorkerId,
                Attempts = (long)t.Attempts,
                StartedAt = running ? null : Text(t.StartedAt),
                FinishedAt = Text(t.FinishedAt),
                HeartbeatAt = running ? null : Text(t.HeartbeatAt),
                Message = running ? RequeuedMessage : t.Message,
                Lost = (long)t.Lost,
                ResultEpoch = (long?)t.ResultEpoch,
                Rung = (long?)t.Rung,
            }, tx);
            connection.Execute(InsertEpoch, trial.Epochs.Select(e => new
            {
                Trial = id,
                Epoch = (long)e.Metrics.Epoch,
                Loss = metric(e.Metrics.Loss),
                Accuracy = metric(e.Metrics.Accuracy),
                ValLoss = metric(e.Metrics.ValLoss),
                ValAccuracy = metric(e.Metrics.ValAccuracy),
                Seconds = metric(e.Metrics.Seconds),
                ImagesPerSecond = metric(e.Metrics.ImagesPerSecond),
                RecordedAt = StoreTime.ToText(e.RecordedAt),
            }), tx);
            if (trial.Checkpoint is { } c)
            {
                connection.Execute(InsertCheckpoint, new { Trial = id, Epoch = (long)c.Epoch, WrittenAt = StoreTime.ToText(c.WrittenAt), c.Data }, tx);
            }

            connection.Execute(InsertAttempt, trial.Attempts.Select(a =>
            {
                // The attempt of a trial running on the other store ends here as the trial does: given back.
                var open = running && a.Outcome is null;
                return new
                {
                    Trial = id,
                    Attempt = (long)a.Attempt,
                    a.WorkerId,
                    StartedAt = Text(a.StartedAt),
                    StartEpoch = (long?)a.StartEpoch,
                    EndedAt = Text(a.EndedAt),
                    EndEpoch = open ? trial.Epochs.Count : (long?)a.EndEpoch,
                    Outcome = open ? TrialStateWords.ToWord(AttemptOutcome.Released) : a.Outcome is { } o ? TrialStateWords.ToWord(o) : null,
                    Reason = open ? RequeuedMessage : a.Reason,
                };
            }), tx);

            if (trial.Evaluation is { } v)
            {
                connection.Execute(InsertEvaluation, new
                {
                    Trial = id,
                    ClassNamesJson = JsonSerializer.Serialize(v.ClassNames),
                    ConfusionJson = JsonSerializer.Serialize(v.Confusion),
                    RecordedAt = StoreTime.ToText(v.RecordedAt),
                }, tx);
            }
        }

        return sweepId;
    }

    /// <summary>What the store's own writes guarantee, checked before anything is written, so a broken archive is refused whole.</summary>
    private static void Validate(SweepArchive archive)
    {
        if (archive.Policy is { } policy)
        {
            try
            {
                StorePolicies.Require(policy);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new ArgumentException($"The archive of sweep '{archive.Name}' has a run policy the store refuses: {e.Message}", nameof(archive), e);
            }
        }

        var numbers = new HashSet<int>();
        foreach (var trial in archive.Trials)
        {
            var t = trial.Trial;
            if (t.Number < 1 || !numbers.Add(t.Number))
                throw new ArgumentException($"The archive of sweep '{archive.Name}' has trial number {t.Number} twice or below 1.", nameof(archive));
            for (var i = 0; i < trial.Epochs.Count; i++)
            {
                if (trial.Epochs[i].Metrics.Epoch != i + 1)
                    throw new ArgumentException($"Trial {t.Number} of the archive has epochs out of order (epoch {trial.Epochs[i].Metrics.Epoch} at position {i + 1}).", nameof(archive));
            }

            if (trial.Checkpoint is { } c && c.Epoch != trial.Epochs.Count)
                throw new ArgumentException($"Trial {t.Number} of the archive has a checkpoint of epoch {c.Epoch}, not of its last stored epoch ({trial.Epochs.Count}).", nameof(archive));
            if (t.ResultEpoch is { } r && (r < 1 || r > trial.Epochs.Count))
                throw new ArgumentException($"Trial {t.Number} of the archive has result epoch {r} but {trial.Epochs.Count} epochs.", nameof(archive));
            var attempts = trial.Attempts.Select(a => a.Attempt).ToList();
            if (attempts.Any(a => a < 1 || a > t.Attempts) || attempts.Distinct().Count() != attempts.Count)
                throw new ArgumentException($"Trial {t.Number} of the archive has attempts {string.Join(", ", attempts)} but was claimed {t.Attempts} time(s).", nameof(archive));
        }
    }

    private static string? Text(DateTimeOffset? time) => time is { } t ? StoreTime.ToText(t) : null;

    private sealed record ArchivedCheckpointRow
    {
        public long TrialId { get; init; }
        public long Epoch { get; init; }
        public string WrittenAt { get; init; } = "";
        public byte[] Data { get; init; } = [];
    }

    private sealed record ArchivedEvaluationRow
    {
        public long TrialId { get; init; }
        public string ClassNamesJson { get; init; } = "[]";
        public string ConfusionJson { get; init; } = "[]";
        public string RecordedAt { get; init; } = "";
    }
}
