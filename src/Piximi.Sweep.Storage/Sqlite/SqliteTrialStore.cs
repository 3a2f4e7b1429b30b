using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// The trial store in one SQLite file, shared by the orchestrator, its workers and readers in other processes.
/// One instance holds one connection, so a call costs no open; calls from several threads are serialized on it by
/// a lock (each process should still open its own store: that is what lets SQLite, not the lock, arbitrate).
/// Writes that read first run in <c>BEGIN IMMEDIATE</c> transactions; the rest are single statements.
/// </summary>
internal sealed partial class SqliteTrialStore : ITrialStore
{
    /// <summary>How long a call waits for another process's write lock before it fails.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _path;
    private readonly ImmediateTransactions _transactions;

    // The per-trial statements, prepared once rather than on every call: a worker runs them thousands of times.
    private readonly SqliteCommand _claim;
    private readonly SqliteCommand _touch;
    private readonly SqliteCommand _lastEpoch;
    private readonly SqliteCommand _insertEpoch;
    private readonly SqliteCommand _upsertCheckpoint;
    private readonly SqliteCommand _deleteCheckpoint;
    private readonly SqliteCommand _finish;
    private readonly SqliteCommand _insertAttempt;
    private readonly SqliteCommand _endAttempt;

    /// <summary>Test seam, see <see cref="Open"/>.</summary>
    private readonly Action<TrialLease, EpochMetrics>? _beforeEpochCommit;

    private bool _disposed;

    /// <summary>The store's file, full path, as messages name it.</summary>
    public string FilePath => _path;

    private SqliteTrialStore(SqliteConnection connection, string path, Action<TrialLease, EpochMetrics>? beforeEpochCommit)
    {
        _connection = connection;
        _path = path;
        _beforeEpochCommit = beforeEpochCommit;
        _transactions = new ImmediateTransactions(connection);
        _claim = Command(SqliteSql.ClaimNext, "@worker", "@now", "@sweep", "@max");
        _touch = Command(SqliteSql.TouchLeasedTrial, "@now", "@trial", "@attempt");
        _lastEpoch = Command(SqliteSql.SelectLastEpoch, "@trial");
        _insertEpoch = Command(
            SqliteSql.InsertEpoch,
            "@trial", "@epoch", "@loss", "@accuracy", "@val_loss", "@val_accuracy", "@seconds", "@images_per_second", "@now");
        _upsertCheckpoint = Command(SqliteSql.UpsertCheckpoint, "@trial", "@epoch", "@now", "@data");
        _deleteCheckpoint = Command(SqliteSql.DeleteCheckpoint, "@trial");
        _finish = Command(SqliteSql.FinishLeasedTrial, "@state", "@now", "@message", "@result_epoch", "@rung", "@trial", "@attempt");
        _insertAttempt = Command(SharedSql.InsertAttempt, "@trial", "@attempt", "@worker", "@now");
        _endAttempt = Command(SharedSql.EndAttempt, "@now", "@outcome", "@reason", "@trial", "@attempt");
    }

    public SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        var json = SweepJson.Serialize(definition);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sweepId = _transactions.Run(() =>
            {
                var existing = _connection.QuerySingleOrDefault<SweepRow>(SqliteSql.SelectSweepByName, new { name = definition.Name });
                if (existing is not null)
                {
                    // Compare canonical forms, re-serializing the stored one: a file written before a harmless change
                    // of the JSON form still matches the same definition.
                    if (!SweepJson.SameSweep(existing.DefinitionJson, definition))
                    {
                        throw new SweepConflictException(
                            $"The store {_path} already has a sweep named '{definition.Name}' with another definition. " +
                            "Rename the sweep to run the new definition, or use another --db.");
                    }

                    return existing.Id;
                }

                var id = _connection.ExecuteScalar<long>(
                    SqliteSql.InsertSweep,
                    new { definition.Name, DefinitionJson = json, CreatedAt = StoreTime.Now() });
                // One prepared command for all rows: Dapper reuses it for a sequence of parameter objects.
                _connection.Execute(SqliteSql.InsertTrial, trials.Select((h, i) => StoreRules.TrialParameters(id, i + 1, h)));
                return id;
            });

            return _connection.QuerySingle<SweepRow>(SqliteSql.SelectSweepById, new { id = sweepId }).ToRecord();
        }
    }

    public SweepRecord? FindSweep(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<SweepRow>(SqliteSql.SelectSweepByName, new { name })?.ToRecord();
        }
    }

    public IReadOnlyList<SweepRecord> ListSweeps()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<SweepRow>(SqliteSql.SelectSweeps).Select(r => r.ToRecord())];
        }
    }

    public TrialRecord? ClaimNext(long sweepId, string workerId, int? maxTrials = null)
    {
        StoreRules.RequireClaimArguments(workerId, maxTrials);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = StoreTime.Now();
            _claim.Parameters["@worker"].Value = workerId;
            _claim.Parameters["@now"].Value = now;
            _claim.Parameters["@sweep"].Value = sweepId;
            _claim.Parameters["@max"].Value = (object?)maxTrials ?? DBNull.Value;
            // The claim is one statement (an UPDATE takes the write lock before it reads); its attempt is written in
            // the same transaction, so no claim is ever without the epoch it started from.
            return _transactions.Run(() =>
            {
                // Under the write lock: the spend read here is the spend this claim extends.
                if (Refusal(sweepId, maxTrials) is not null)
                {
                    return null;
                }

                TrialRecord? claimed;
                using (var reader = _claim.ExecuteReader())
                {
                    claimed = reader.Parse<TrialRow>().SingleOrDefault()?.ToRecord();
                }

                if (claimed is not null)
                {
                    InsertAttempt(claimed, now);
                }

                return claimed;
            });
        }
    }

    public void RecordEpoch(TrialLease lease, EpochMetrics metrics, byte[]? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(metrics);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _transactions.Run(() =>
            {
                // The fence first: a lost lease is told so, whatever its epoch. Any throw below rolls the touch back.
                var now = StoreTime.Now();
                _touch.Parameters["@now"].Value = now;
                _touch.Parameters["@trial"].Value = lease.TrialId;
                _touch.Parameters["@attempt"].Value = lease.Attempt;
                if (_touch.ExecuteNonQuery() == 0)
                {
                    throw LeaseLost(lease, $"record epoch {metrics.Epoch} of");
                }

                _lastEpoch.Parameters["@trial"].Value = lease.TrialId;
                var expected = (long)_lastEpoch.ExecuteScalar()! + 1;
                if (metrics.Epoch != expected)
                {
                    throw StoreRules.EpochOutOfOrder(lease.TrialId, metrics.Epoch, expected);
                }

                var p = _insertEpoch.Parameters;
                p["@trial"].Value = lease.TrialId;
                p["@epoch"].Value = metrics.Epoch;
                p["@loss"].Value = Metric(metrics.Loss);
                p["@accuracy"].Value = Metric(metrics.Accuracy);
                p["@val_loss"].Value = Metric(metrics.ValLoss);
                p["@val_accuracy"].Value = Metric(metrics.ValAccuracy);
                p["@seconds"].Value = Metric(metrics.Seconds);
                p["@images_per_second"].Value = Metric(metrics.ImagesPerSecond);
                p["@now"].Value = now;
                _insertEpoch.ExecuteNonQuery();

                if (checkpoint is null)
                {
                    // The stored checkpoint is always the last stored epoch's: an older one would make a resume
                    // repeat this epoch on top of the metrics already stored for it. No checkpoint, no resume point.
                    _deleteCheckpoint.Parameters["@trial"].Value = lease.TrialId;
                    _deleteCheckpoint.ExecuteNonQuery();
                }
                else
                {
                    _upsertCheckpoint.Parameters["@trial"].Value = lease.TrialId;
                    _upsertCheckpoint.Parameters["@epoch"].Value = metrics.Epoch;
                    _upsertCheckpoint.Parameters["@now"].Value = now;
                    _upsertCheckpoint.Parameters["@data"].Value = checkpoint;
                    _upsertCheckpoint.ExecuteNonQuery();
                }

                _beforeEpochCommit?.Invoke(lease, metrics);
                return 0;
            });
        }
    }

    public bool Heartbeat(TrialLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _touch.Parameters["@now"].Value = StoreTime.Now();
            _touch.Parameters["@trial"].Value = lease.TrialId;
            _touch.Parameters["@attempt"].Value = lease.Attempt;
            return _touch.ExecuteNonQuery() == 1;
        }
    }

    public void Finish(TrialLease lease, TrialState state, string? message, int? resultEpoch = null, int? rung = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        StoreRules.RequireFinal(state, rung);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _transactions.Run(() =>
            {
                _finish.Parameters["@state"].Value = TrialStateWords.ToWord(state);
                _finish.Parameters["@now"].Value = StoreTime.Now();
                if (resultEpoch is { } result)
                {
                    _lastEpoch.Parameters["@trial"].Value = lease.TrialId;
                    StoreRules.RequireStoredEpoch(lease.TrialId, result, (long)_lastEpoch.ExecuteScalar()!);
                }

                _finish.Parameters["@message"].Value = (object?)message ?? DBNull.Value;
                _finish.Parameters["@result_epoch"].Value = (object?)resultEpoch ?? DBNull.Value;
                _finish.Parameters["@rung"].Value = (object?)rung ?? DBNull.Value;
                _finish.Parameters["@trial"].Value = lease.TrialId;
                _finish.Parameters["@attempt"].Value = lease.Attempt;
                if (_finish.ExecuteNonQuery() == 0)
                {
                    throw LeaseLost(lease, $"finish as {TrialStateWords.ToWord(state)}");
                }

                EndAttempt(lease, TrialStateWords.OutcomeOf(state), message);

                // Nothing to resume or to keep: a failed or diverged trial's model is of no use. A completed one's
                // may be the best (PruneCheckpoints decides); a pruned one keeps its own until then too.
                if (state is TrialState.Failed or TrialState.Diverged)
                {
                    _deleteCheckpoint.Parameters["@trial"].Value = lease.TrialId;
                    _deleteCheckpoint.ExecuteNonQuery();
                }

                return 0;
            });
        }
    }

    public TrialRecord? AddClaimedTrial(long sweepId, int number, Hyperparameters hyperparameters, string workerId, int? maxTrials = null)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        StoreRules.RequireClaimArguments(workerId, maxTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Run(() =>
            {
                // Under the write lock: the count read here is the count the insert extends.
                var counts = _connection.QuerySingle<CountsRow>(SqliteSql.SelectTrialCounts, new { sweep = sweepId });
                if (counts.LastNumber != number - 1 || Refusal(sweepId, maxTrials) is not null)
                {
                    return null;
                }

                var now = StoreTime.Now();
                var added = _connection.QuerySingle<TrialRow>(
                    SqliteSql.InsertClaimedTrial,
                    StoreRules.ClaimedTrialParameters(sweepId, number, hyperparameters, workerId, now)).ToRecord();
                InsertAttempt(added, now);
                return added;
            });
        }
    }

    public RunPolicy LoadPolicy(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return StorePolicies.Load(_connection, null, sweepId);
        }
    }

    public RunPolicy SavePolicy(long sweepId, RunPolicy policy)
    {
        StorePolicies.Require(policy);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Run(() =>
            {
                var before = StorePolicies.Load(_connection, null, sweepId);
                StorePolicies.Save(_connection, null, sweepId, policy);
                return before;
            });
        }
    }

    public BudgetStop? PolicyStop(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Read(() => Refusal(sweepId, null));
        }
    }

    /// <summary>The stored policy's verdict on a claim now, inside the caller's transaction (<see cref="StorePolicies.Refusal"/>).</summary>
    private BudgetStop? Refusal(long sweepId, int? maxTrials) => StorePolicies.Refusal(
        _connection, null, sweepId, StorePolicies.WithCap(StorePolicies.Load(_connection, null, sweepId), maxTrials), SqliteSql.SelectSweepUsage);

    public SweepUsage Usage(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var row = _connection.QuerySingle<UsageRow>(SqliteSql.SelectSweepUsage, new { sweep = sweepId });
            return new SweepUsage(checked((int)row.Epochs), row.Seconds);
        }
    }

    public void Release(TrialLease lease, string reason)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _transactions.Run(() =>
            {
                if (_connection.Execute(SqliteSql.ReleaseLeasedTrial, new { trial = lease.TrialId, attempt = lease.Attempt, reason }) == 0)
                {
                    throw LeaseLost(lease, "release");
                }

                EndAttempt(lease, AttemptOutcome.Released, reason);

                return 0;
            });
        }
    }

    public void RecordEvaluation(TrialLease lease, TrialEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(evaluation);
        var (classes, confusion) = StoreRules.EvaluationJson(lease, evaluation);
        var parameters = new { trial = lease.TrialId, attempt = lease.Attempt, classes, confusion, now = StoreTime.Now() };
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _transactions.Run(() =>
            {
                if (_connection.Execute(SqliteSql.UpsertEvaluation, parameters) == 0)
                    throw LeaseLost(lease, "record the evaluation of");
                return 0;
            });
        }
    }

    public TrialEvaluation? LoadEvaluation(long trialId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<EvaluationRow>(SqliteSql.SelectEvaluation, new { trial = trialId })?.ToRecord();
        }
    }

    public TrialCheckpoint? LoadCheckpoint(long trialId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<CheckpointRow>(SqliteSql.SelectCheckpoint, new { trial = trialId })?.ToRecord();
        }
    }

    public IReadOnlyList<RecoveredTrial> RecoverLost(
        long sweepId, TimeSpan staleAfter, IReadOnlyCollection<string> deadWorkers, int maxRetries, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.Recover(running, staleAfter, deadWorkers, maxRetries, reason, write));

    public IReadOnlyList<RecoveredTrial> FailTrialsOf(long sweepId, string workerId, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.FailForError(running, workerId, reason, write));

    /// <summary>Reads the sweep's running trials and writes what <paramref name="decide"/> makes of them, in one transaction.</summary>
    private IReadOnlyList<RecoveredTrial> Recover(
        long sweepId, Func<IReadOnlyList<RunningRow>, Action<RecoveryWrite>, IReadOnlyList<RecoveredTrial>> decide)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Run(() => decide(
                _connection.Query<RunningRow>(SqliteSql.SelectRunningTrialsOfSweep, new { sweep = sweepId }).ToList(),
                write =>
                {
                    _connection.Execute(SharedSql.EndAttempt, write.AttemptParameters);
                    if (write.Outcome.NewState == TrialState.Failed)
                    {
                        _connection.Execute(SharedSql.FailLostTrial, write.TrialParameters);
                        _connection.Execute(SqliteSql.DeleteCheckpoint, new { trial = write.Trial.Id });
                    }
                    else
                    {
                        _connection.Execute(SharedSql.RequeueLostTrial, write.TrialParameters);
                    }
                }));
        }
    }

    public IReadOnlyList<TrialAttempt> ListAttempts(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<AttemptRow>(SharedSql.SelectAttemptsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    public OrchestrationClaim ClaimOrchestration(long sweepId, string host, int pid, TimeSpan grace, OrchestratorRecord? gone = null)
    {
        var parameters = StoreRules.OrchestrationParameters(sweepId, host, pid, grace);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Under the write lock: the row read is the row replaced.
            return _transactions.Run(() => StoreRules.ClaimOrchestration(
                _connection.QuerySingleOrDefault<OrchestratorRow>(SharedSql.InsertOrchestrator, parameters),
                () => _connection.QuerySingleOrDefault<OrchestratorRow>(SharedSql.SelectOrchestrator + ";", new { sweep = sweepId }),
                () => _connection.QuerySingle<OrchestratorRow>(SharedSql.ReplaceOrchestrator, parameters),
                gone, sweepId));
        }
    }

    public OrchestratorRecord? FindOrchestrator(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<OrchestratorRow>(SharedSql.SelectOrchestrator + ";", new { sweep = sweepId })?.ToRecord();
        }
    }

    public bool BeatOrchestrator(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.Execute(SharedSql.BeatOrchestrator, StoreRules.OrchestratorParameters(orchestrator)) == 1;
        }
    }

    public void EndOrchestration(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection.Execute(SharedSql.DeleteOrchestrator, StoreRules.OrchestratorParameters(orchestrator));
        }
    }

    public void PruneCheckpoints(long sweepId, string metric)
    {
        var sql = StoreRules.RequireMetric(metric, SqliteSql.PruneCheckpointsByMetric);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection.Execute(sql, new { sweep = sweepId });
        }
    }

    public IReadOnlyList<TrialRecord> ListTrials(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<TrialRow>(SqliteSql.SelectTrialsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    public IReadOnlyList<EpochRecord> ListEpochs(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<EpochRow>(SqliteSql.SelectEpochsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    public NewEpochs ListEpochsSince(long sweepId, long position)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(SharedSql.SelectEpochsSince, new { sweep = sweepId, after = position })], position);
        }
    }

    public TrialCounts CountTrials(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return TrialCountRows.ToCounts(_connection.Query<StateCountRow>(SharedSql.CountTrialsByState, new { sweep = sweepId }));
        }
    }

    public SweepChanges ReadChanges(long sweepId, long position, IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var parameters = new { sweep = sweepId, after = position, ids = ids.ToArray() };
            return _transactions.Read(() => new SweepChanges(
                TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(SharedSql.SelectEpochsSince, parameters)], position),
                [.. _connection.Query<TrialRow>(SqliteSql.SelectChangedTrials, parameters).Select(r => r.ToRecord())],
                TrialCountRows.ToCounts(_connection.Query<StateCountRow>(SharedSql.CountTrialsByState, parameters))));
        }
    }

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId) => Summarize(SqliteSql.SelectTrialSummariesOfSweep, new { sweep = sweepId });

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId, IReadOnlyCollection<TrialState> states) =>
        Summarize(SqliteSql.SelectTrialSummariesInStates, new { sweep = sweepId, states = StoreRules.StateWords(states) });

    private List<TrialSummary> Summarize(string sql, object parameters)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<TrialRow, EpochRow?, AggregateRow, TrialSummary>(
                sql,
                (trial, last, aggregate) => new TrialSummary(
                    trial.ToRecord(), last?.ToRecord().Metrics, checked((int)aggregate.EpochsRun), aggregate.TrainingSeconds),
                parameters,
                splitOn: "TrialId,EpochsRun")];
        }
    }

    /// <summary>A pragma's value on this store's connection (some, like synchronous, are per connection).</summary>
    internal string? Pragma(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Convert.ToString(_connection.ExecuteScalar($"PRAGMA {name};"), CultureInfo.InvariantCulture);
        }
    }

    public SweepLaunch RecordLaunch(long sweepId, string kind, string jobId, string? scriptPath)
    {
        StoreRules.RequireLaunchArguments(kind, jobId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingle<LaunchRow>(
                SqliteSql.InsertLaunch, new { sweep = sweepId, kind, job = jobId, script = scriptPath, now = StoreTime.Now() }).ToRecord();
        }
    }

    public IReadOnlyList<SweepLaunch> ListLaunches(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<LaunchRow>(SqliteSql.SelectLaunchesOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    public SweepCancellation CancelSweep(long sweepId, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Run(() =>
            {
                _connection.Execute(SqliteSql.InsertCancellation, new { sweep = sweepId, now = StoreTime.Now(), reason });
                return _connection.QuerySingleOrDefault<CancellationRow>(SqliteSql.SelectCancellation, new { sweep = sweepId })?.ToRecord()
                       ?? throw StoreRules.NoSuchSweep(sweepId);
            });
        }
    }

    public SweepCancellation? FindCancellation(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<CancellationRow>(SqliteSql.SelectCancellation, new { sweep = sweepId })?.ToRecord();
        }
    }

    public bool ClearCancellation(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.Execute(SqliteSql.DeleteCancellation, new { sweep = sweepId }) > 0;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _claim.Dispose();
            _touch.Dispose();
            _lastEpoch.Dispose();
            _insertEpoch.Dispose();
            _upsertCheckpoint.Dispose();
            _deleteCheckpoint.Dispose();
            _finish.Dispose();
            _insertAttempt.Dispose();
            _endAttempt.Dispose();
            _transactions.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>
    /// Why a holder's write was refused, read in the refused write's transaction when there is one, so that it says
    /// what the store held at that moment.
    /// </summary>
    private LeaseLostException LeaseLost(TrialLease lease, string action) => StoreRules.LeaseLost(
        _path, lease, action, _connection.QuerySingleOrDefault<StateRow>(SqliteSql.SelectTrialStateAndAttempts, new { trial = lease.TrialId }));

    /// <summary>The claim's attempt, in the claim's transaction (<see cref="SharedSql.InsertAttempt"/>).</summary>
    private void InsertAttempt(TrialRecord claimed, string now)
    {
        var p = _insertAttempt.Parameters;
        p["@trial"].Value = claimed.Id;
        p["@attempt"].Value = claimed.Attempts;
        p["@worker"].Value = claimed.WorkerId;
        p["@now"].Value = now;
        _insertAttempt.ExecuteNonQuery();
    }

    /// <summary>Ends the lease's attempt, in the transaction that ends its hold (<see cref="SharedSql.EndAttempt"/>).</summary>
    private void EndAttempt(TrialLease lease, AttemptOutcome outcome, string? reason)
    {
        var p = _endAttempt.Parameters;
        p["@now"].Value = StoreTime.Now();
        p["@outcome"].Value = TrialStateWords.ToWord(outcome);
        p["@reason"].Value = (object?)reason ?? DBNull.Value;
        p["@trial"].Value = lease.TrialId;
        p["@attempt"].Value = lease.Attempt;
        _endAttempt.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = new SqliteCommand(sql, _connection);
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind one), so a NaN metric is stored as NULL.</summary>
    private static object Metric(double value) => double.IsNaN(value) ? DBNull.Value : value;
}
