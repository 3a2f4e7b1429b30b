using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

// Epochs and what follows from them: checkpoints, evaluations, and the reads of a sweep (lists, summaries, changes).
internal sealed partial class TrialStore
{
    public void RecordEpoch(TrialLease lease, EpochMetrics metrics, byte[]? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(metrics);
        Write(tx =>
        {
            // The fence first: a lost lease is told so, whatever its epoch. The update also locks the trial's row until
            // commit (PostgreSQL), so a recovery cannot slip in between. Any throw below rolls the touch back.
            var now = StoreTime.Now();
            if (Touch(lease, now, tx) == 0) throw LeaseLost(lease, $"record epoch {metrics.Epoch} of", tx);

            var expected = LastEpoch(lease.TrialId, tx) + 1;
            if (metrics.Epoch != expected) throw StoreRules.EpochOutOfOrder(lease.TrialId, metrics.Epoch, expected);

            if (_dialect.LockEpochSeq is { } lockSeq) _connection.Execute(lockSeq, transaction: tx);
            _insertEpoch
                .With("@trial", lease.TrialId).With("@epoch", (long)metrics.Epoch)
                .With("@loss", _dialect.Metric(metrics.Loss)).With("@accuracy", _dialect.Metric(metrics.Accuracy))
                .With("@val_loss", _dialect.Metric(metrics.ValLoss)).With("@val_accuracy", _dialect.Metric(metrics.ValAccuracy))
                .With("@seconds", _dialect.Metric(metrics.Seconds)).With("@images_per_second", _dialect.Metric(metrics.ImagesPerSecond))
                .With("@now", now)
                .Execute(tx);
            _addEpochUsage.With("@trial", lease.TrialId).With("@seconds", double.IsFinite(metrics.Seconds) ? metrics.Seconds : 0.0).Execute(tx);

            if (checkpoint is null)
            {
                // The stored checkpoint is always the last stored epoch's: an older one would make a resume repeat this
                // epoch on top of the metrics already stored for it. No checkpoint, no resume point.
                DeleteCheckpoint(lease.TrialId, tx);
            }
            else
            {
                _upsertCheckpoint.With("@trial", lease.TrialId).With("@epoch", (long)metrics.Epoch).With("@now", now).With("@data", checkpoint)
                    .Execute(tx);
            }

            _beforeEpochCommit?.Invoke(lease, metrics);
            return 0;
        });
    }

    public void RecordEvaluation(TrialLease lease, TrialEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(evaluation);
        var (classes, confusion) = StoreRules.EvaluationJson(lease, evaluation);
        var parameters = new { trial = lease.TrialId, attempt = (long)lease.Attempt, classes, confusion, now = StoreTime.Now() };
        Write(tx =>
        {
            if (_connection.Execute(StoreSql.UpsertEvaluation, parameters, tx) == 0) throw LeaseLost(lease, "record the evaluation of", tx);
            return 0;
        });
    }

    public TrialEvaluation? LoadEvaluation(long trialId) =>
        Locked(() => _connection.QuerySingleOrDefault<EvaluationRow>(StoreSql.SelectEvaluation, new { trial = trialId })?.ToRecord());

    public TrialCheckpoint? LoadCheckpoint(long trialId) =>
        Locked(() => _connection.QuerySingleOrDefault<CheckpointRow>(StoreSql.SelectCheckpoint, new { trial = trialId })?.ToRecord());

    public void PruneCheckpoints(long sweepId, string metric)
    {
        var sql = StoreRules.RequireMetric(metric, _sql.PruneCheckpointsByMetric);
        Locked(() => _connection.Execute(sql, new { sweep = sweepId }));
    }

    public IReadOnlyList<TrialRecord> ListTrials(long sweepId) =>
        Locked(() => (IReadOnlyList<TrialRecord>)[.. _connection.Query<TrialRow>(StoreSql.SelectTrialsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public TrialRecord? FindTrial(long sweepId, int number) =>
        Locked(() => _connection.QuerySingleOrDefault<TrialRow>(StoreSql.SelectTrialByNumber, new { sweep = sweepId, number = (long)number })?.ToRecord());

    public IReadOnlyList<EpochRecord> ListEpochs(long sweepId) =>
        Locked(() => (IReadOnlyList<EpochRecord>)[.. _connection.Query<EpochRow>(StoreSql.SelectEpochsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public NewEpochs ListEpochsSince(long sweepId, long position) =>
        Locked(() => TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(StoreSql.SelectEpochsSince, new { sweep = sweepId, after = position })], position));

    public long EpochPosition() => Locked(() => _connection.ExecuteScalar<long>(StoreSql.SelectEpochPosition));

    public IReadOnlyList<EpochRecord> ListEpochsOfTrials(long sweepId, IReadOnlyCollection<long> trialIds)
    {
        ArgumentNullException.ThrowIfNull(trialIds);
        if (trialIds.Count == 0) return [];
        return Locked(() => (IReadOnlyList<EpochRecord>)[.. _connection.Query<EpochRow>(_sql.SelectEpochsOfTrials, new { sweep = sweepId, ids = trialIds.ToArray() }).Select(r => r.ToRecord())]);
    }

    public TrialCounts CountTrials(long sweepId) =>
        Locked(() => TrialCountRows.ToCounts(_connection.Query<StateCountRow>(StoreSql.CountTrialsByState, new { sweep = sweepId })));

    public SweepChanges ReadChanges(long sweepId, long position, IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var parameters = new { sweep = sweepId, after = position, ids = ids.ToArray() };
        // One snapshot: the epochs, the trials and the counts agree.
        return Snapshot(tx => new SweepChanges(
            TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(StoreSql.SelectEpochsSince, parameters, tx)], position),
            [.. _connection.Query<TrialRow>(_sql.SelectChangedTrials, parameters, tx).Select(r => r.ToRecord())],
            TrialCountRows.ToCounts(_connection.Query<StateCountRow>(StoreSql.CountTrialsByState, parameters, tx))));
    }

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId) => Summarize(StoreSql.SelectTrialSummariesOfSweep, new { sweep = sweepId });

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId, IReadOnlyCollection<TrialState> states) =>
        Summarize(_sql.SelectTrialSummariesInStates, new { sweep = sweepId, states = StoreRules.StateWords(states) });

    public IReadOnlyList<TrialSummary> SummarizeFirstTrials(long sweepId, int count) =>
        Summarize(StoreSql.SelectFirstTrialSummaries, new { sweep = sweepId, count = (long)count });

    private IReadOnlyList<TrialSummary> Summarize(string sql, object parameters) =>
        Locked(() => (IReadOnlyList<TrialSummary>)[.. _connection.Query<TrialRow, EpochRow?, AggregateRow, TrialSummary>(
            sql,
            (trial, last, aggregate) => new TrialSummary(
                trial.ToRecord(), last?.ToRecord().Metrics, checked((int)aggregate.EpochsRun), aggregate.TrainingSeconds),
            parameters,
            splitOn: "TrialId,EpochsRun")]);
}
