using System.Data;
using Dapper;
using Npgsql;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Postgres;

/// <summary>
/// The trial store in a PostgreSQL database, for workers on several machines. The same contract as the SQLite store
/// (the contract tests run against both): one connection per instance, calls from several threads take turns on it;
/// every method commits before it returns. Claims lock rows with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers
/// never wait for each other; a claim with a budget, and adding a proposed trial, also take the sweep's advisory lock
/// so the count they check cannot change before they write.
/// </summary>
internal sealed partial class PostgresTrialStore : ITrialStore
{
    private readonly Lock _gate = new();
    private readonly NpgsqlConnection _connection;

    /// <summary>The store as messages name it: host, port and database, never the user's password.</summary>
    private readonly string _name;

    private bool _disposed;

    /// <summary>The store as messages name it (<see cref="StoreLocations.DescribePostgres"/>).</summary>
    public string Name => _name;

    private PostgresTrialStore(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _name = name;
    }

    /// <summary>
    /// Connects and brings the database's schema up to date (creating it in an empty database); or, for
    /// <paramref name="readOnly"/>, connects in a session whose transactions are all read-only (the server refuses any
    /// change) and only checks that the database holds a store of this build's schema.
    /// </summary>
    public static PostgresTrialStore Open(string connectionString, bool readOnly = false)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = StoreLocations.DescribePostgres(builder);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            if (readOnly)
            {
                connection.Execute(PostgresSql.ReadOnlySession);
                PostgresSchema.RefuseNonStore(connection, name);
            }
            else
            {
                PostgresSchema.Migrate(connection, name);
            }

            return new PostgresTrialStore(connection, name);
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            // Npgsql's own message never holds the password, but the connection string might be echoed by callers:
            // say what failed in our words, naming the store without credentials.
            throw new StoreUnavailableException(StoreFailures.Explain(e, name) ?? $"cannot use the store {name}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        var json = SweepJson.Serialize(definition);
        return Transaction(tx =>
        {
            var existing = _connection.QuerySingleOrDefault<SweepRow>(PostgresSql.SelectSweepByName, new { name = definition.Name }, tx);
            var id = existing is null
                ? _connection.ExecuteScalar<long?>(PostgresSql.InsertSweep, new { definition.Name, DefinitionJson = json, CreatedAt = StoreTime.Now() }, tx)
                : null;
            if (id is null)
            {
                // It existed, or another creator inserted it a moment ago (ON CONFLICT DO NOTHING then returns nothing).
                existing ??= _connection.QuerySingle<SweepRow>(PostgresSql.SelectSweepByName, new { name = definition.Name }, tx);
                if (!SweepJson.SameSweep(existing.DefinitionJson, definition))
                {
                    throw new SweepConflictException(
                        $"The store {_name} already has a sweep named '{definition.Name}' with another definition. " +
                        "Rename the sweep to run the new definition, or use another --store (--db for SQLite).");
                }

                return existing.ToRecord();
            }

            _connection.Execute(PostgresSql.InsertTrial, trials.Select((h, i) => StoreRules.TrialParameters(id.Value, i + 1, h)), tx);
            return _connection.QuerySingle<SweepRow>(PostgresSql.SelectSweepById, new { id }, tx).ToRecord();
        });
    }

    public SweepRecord? FindSweep(string name) =>
        Read(() => _connection.QuerySingleOrDefault<SweepRow>(PostgresSql.SelectSweepByName, new { name })?.ToRecord());

    public IReadOnlyList<SweepRecord> ListSweeps() =>
        Read(() => (IReadOnlyList<SweepRecord>)[.. _connection.Query<SweepRow>(PostgresSql.SelectSweeps).Select(r => r.ToRecord())]);

    public TrialRecord? ClaimNext(long sweepId, string workerId, int? maxTrials = null)
    {
        StoreRules.RequireClaimArguments(workerId, maxTrials);
        var now = StoreTime.Now();
        var claim = new { worker = workerId, now, sweep = sweepId };
        return Transaction(tx =>
        {
            if (Refusal(sweepId, maxTrials, tx) is not null) return null;

            // The claimed row stays locked until commit, with its attempt written beside it.
            var claimed = _connection.QuerySingleOrDefault<TrialRow>(PostgresSql.ClaimNext, claim, tx)?.ToRecord();
            if (claimed is not null) InsertAttempt(claimed, now, tx);
            return claimed;
        });
    }

    public TrialRecord? AddClaimedTrial(long sweepId, int number, Hyperparameters hyperparameters, string workerId, int? maxTrials = null)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        StoreRules.RequireClaimArguments(workerId, maxTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        return Transaction(tx =>
        {
            _connection.Execute(PostgresSql.LockSweepClaims, new { sweep = sweepId }, tx);
            var counts = _connection.QuerySingle<CountsRow>(PostgresSql.SelectTrialCounts, new { sweep = sweepId }, tx);
            if (counts.LastNumber != number - 1 || Refusal(sweepId, maxTrials, tx, locked: true) is not null) return null;
            var now = StoreTime.Now();
            var added = _connection.QuerySingle<TrialRow>(
                PostgresSql.InsertClaimedTrial,
                StoreRules.ClaimedTrialParameters(sweepId, number, hyperparameters, workerId, now), tx).ToRecord();
            InsertAttempt(added, now, tx);
            return added;
        });
    }

    public void RecordEpoch(TrialLease lease, EpochMetrics metrics, byte[]? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(metrics);
        Transaction(tx =>
        {
            // The fence first: the UPDATE also locks the trial's row until commit, so a recovery cannot slip in between.
            var now = StoreTime.Now();
            if (_connection.Execute(PostgresSql.TouchLeasedTrial, new { now, trial = lease.TrialId, attempt = lease.Attempt }, tx) == 0)
            {
                throw LeaseLost(lease, $"record epoch {metrics.Epoch} of", tx);
            }

            var expected = _connection.ExecuteScalar<long>(PostgresSql.SelectLastEpoch, new { trial = lease.TrialId }, tx) + 1;
            if (metrics.Epoch != expected)
            {
                throw StoreRules.EpochOutOfOrder(lease.TrialId, metrics.Epoch, expected);
            }

            _connection.Execute(PostgresSql.LockEpochSeq, new { key = PostgresSql.EpochSeqLockKey }, tx);
            _connection.Execute(PostgresSql.InsertEpoch, new
            {
                trial = lease.TrialId,
                epoch = (long)metrics.Epoch,
                loss = metrics.Loss,
                accuracy = metrics.Accuracy,
                val_loss = metrics.ValLoss,
                val_accuracy = metrics.ValAccuracy,
                seconds = metrics.Seconds,
                images_per_second = metrics.ImagesPerSecond,
                now,
            }, tx);
            if (checkpoint is null)
            {
                _connection.Execute(PostgresSql.DeleteCheckpoint, new { trial = lease.TrialId }, tx);
            }
            else
            {
                _connection.Execute(PostgresSql.UpsertCheckpoint, new { trial = lease.TrialId, epoch = (long)metrics.Epoch, now, data = checkpoint }, tx);
            }

            return 0;
        });
    }

    public bool Heartbeat(TrialLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Read(() => _connection.Execute(PostgresSql.TouchLeasedTrial, new { now = StoreTime.Now(), trial = lease.TrialId, attempt = lease.Attempt }) == 1);
    }

    public void Finish(TrialLease lease, TrialState state, string? message, int? resultEpoch = null, int? rung = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        StoreRules.RequireFinal(state, rung);
        Transaction(tx =>
        {
            if (resultEpoch is { } result)
            {
                StoreRules.RequireStoredEpoch(lease.TrialId, result, _connection.ExecuteScalar<long>(PostgresSql.SelectLastEpoch, new { trial = lease.TrialId }, tx));
            }

            var finished = _connection.Execute(PostgresSql.FinishLeasedTrial, new
            {
                state = TrialStateWords.ToWord(state),
                now = StoreTime.Now(),
                message,
                result_epoch = (long?)resultEpoch,
                rung = (long?)rung,
                trial = lease.TrialId,
                attempt = lease.Attempt,
            }, tx);
            if (finished == 0)
            {
                throw LeaseLost(lease, $"finish as {TrialStateWords.ToWord(state)}", tx);
            }

            EndAttempt(lease, TrialStateWords.OutcomeOf(state), message, tx);

            if (state is TrialState.Failed or TrialState.Diverged)
            {
                _connection.Execute(PostgresSql.DeleteCheckpoint, new { trial = lease.TrialId }, tx);
            }

            return 0;
        });
    }

    public void Release(TrialLease lease, string reason)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Transaction(tx =>
        {
            if (_connection.Execute(PostgresSql.ReleaseLeasedTrial, new { trial = lease.TrialId, attempt = lease.Attempt, reason }, tx) == 0)
            {
                throw LeaseLost(lease, "release", tx);
            }

            EndAttempt(lease, AttemptOutcome.Released, reason, tx);

            return 0;
        });
    }

    public void RecordEvaluation(TrialLease lease, TrialEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(evaluation);
        var (classes, confusion) = StoreRules.EvaluationJson(lease, evaluation);
        var parameters = new { trial = lease.TrialId, attempt = lease.Attempt, classes, confusion, now = StoreTime.Now() };
        Transaction(tx =>
        {
            if (_connection.Execute(PostgresSql.UpsertEvaluation, parameters, tx) == 0)
                throw LeaseLost(lease, "record the evaluation of", tx);
            return 0;
        });
    }

    public TrialEvaluation? LoadEvaluation(long trialId) =>
        Read(() => _connection.QuerySingleOrDefault<EvaluationRow>(PostgresSql.SelectEvaluation, new { trial = trialId })?.ToRecord());

    public TrialCheckpoint? LoadCheckpoint(long trialId) =>
        Read(() => _connection.QuerySingleOrDefault<CheckpointRow>(PostgresSql.SelectCheckpoint, new { trial = trialId })?.ToRecord());

    public IReadOnlyList<RecoveredTrial> RecoverLost(
        long sweepId, TimeSpan staleAfter, IReadOnlyCollection<string> deadWorkers, int maxRetries, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.Recover(running, staleAfter, deadWorkers, maxRetries, reason, write));

    public IReadOnlyList<RecoveredTrial> FailTrialsOf(long sweepId, string workerId, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.FailForError(running, workerId, reason, write));

    /// <summary>Reads the sweep's running trials and writes what <paramref name="decide"/> makes of them, in one transaction.</summary>
    private IReadOnlyList<RecoveredTrial> Recover(
        long sweepId, Func<IReadOnlyList<RunningRow>, Action<RecoveryWrite>, IReadOnlyList<RecoveredTrial>> decide) =>
        Transaction(tx =>
        {
            // Lock, then read (see LockRunningTrialsOfSweep): the epochs read are those the decisions stand on.
            var locked = _connection.Query<long>(PostgresSql.LockRunningTrialsOfSweep, new { sweep = sweepId }, tx).ToArray();
            var running = _connection.Query<RunningRow>(PostgresSql.SelectRunningTrialsOfSweep, new { sweep = sweepId, locked }, tx).ToList();
            return decide(running, write =>
            {
                _connection.Execute(SharedSql.EndAttempt, write.AttemptParameters, tx);
                if (write.Outcome.NewState == TrialState.Failed)
                {
                    _connection.Execute(SharedSql.FailLostTrial, write.TrialParameters, tx);
                    _connection.Execute(PostgresSql.DeleteCheckpoint, new { trial = write.Trial.Id }, tx);
                }
                else
                {
                    _connection.Execute(SharedSql.RequeueLostTrial, write.TrialParameters, tx);
                }
            });
        });

    public IReadOnlyList<TrialAttempt> ListAttempts(long sweepId) =>
        Read(() => (IReadOnlyList<TrialAttempt>)[.. _connection.Query<AttemptRow>(SharedSql.SelectAttemptsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public OrchestrationClaim ClaimOrchestration(long sweepId, string host, int pid, TimeSpan grace, OrchestratorRecord? gone = null)
    {
        var parameters = StoreRules.OrchestrationParameters(sweepId, host, pid, grace);
        return Transaction(tx => StoreRules.ClaimOrchestration(
            _connection.QuerySingleOrDefault<OrchestratorRow>(SharedSql.InsertOrchestrator, parameters, tx),
            () => _connection.QuerySingleOrDefault<OrchestratorRow>(PostgresSql.SelectOrchestratorForUpdate, new { sweep = sweepId }, tx),
            () => _connection.QuerySingle<OrchestratorRow>(SharedSql.ReplaceOrchestrator, parameters, tx),
            gone, sweepId));
    }

    public OrchestratorRecord? FindOrchestrator(long sweepId) =>
        Read(() => _connection.QuerySingleOrDefault<OrchestratorRow>(SharedSql.SelectOrchestrator + ";", new { sweep = sweepId })?.ToRecord());

    public bool BeatOrchestrator(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        return Read(() => _connection.Execute(SharedSql.BeatOrchestrator, StoreRules.OrchestratorParameters(orchestrator)) == 1);
    }

    public void EndOrchestration(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        Read(() => _connection.Execute(SharedSql.DeleteOrchestrator, StoreRules.OrchestratorParameters(orchestrator)));
    }

    public void PruneCheckpoints(long sweepId, string metric)
    {
        var sql = StoreRules.RequireMetric(metric, PostgresSql.PruneCheckpointsByMetric);
        Read(() => _connection.Execute(sql, new { sweep = sweepId }));
    }

    public IReadOnlyList<TrialRecord> ListTrials(long sweepId) =>
        Read(() => (IReadOnlyList<TrialRecord>)[.. _connection.Query<TrialRow>(PostgresSql.SelectTrialsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public IReadOnlyList<EpochRecord> ListEpochs(long sweepId) =>
        Read(() => (IReadOnlyList<EpochRecord>)[.. _connection.Query<EpochRow>(PostgresSql.SelectEpochsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public NewEpochs ListEpochsSince(long sweepId, long position) =>
        Read(() => TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(SharedSql.SelectEpochsSince, new { sweep = sweepId, after = position })], position));

    public TrialCounts CountTrials(long sweepId) =>
        Read(() => TrialCountRows.ToCounts(_connection.Query<StateCountRow>(SharedSql.CountTrialsByState, new { sweep = sweepId })));

    public SweepChanges ReadChanges(long sweepId, long position, IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var parameters = new { sweep = sweepId, after = position, ids = ids.ToArray() };
            // Repeatable read: the epochs, the trials and the counts of one snapshot.
            using var tx = _connection.BeginTransaction(IsolationLevel.RepeatableRead);
            var epochs = TrialCountRows.ToNewEpochs([.. _connection.Query<EpochRow>(SharedSql.SelectEpochsSince, parameters, tx)], position);
            var trials = _connection.Query<TrialRow>(PostgresSql.SelectChangedTrials, parameters, tx).Select(r => r.ToRecord()).ToList();
            var counts = TrialCountRows.ToCounts(_connection.Query<StateCountRow>(SharedSql.CountTrialsByState, parameters, tx));
            tx.Commit();
            return new SweepChanges(epochs, trials, counts);
        }
    }

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId) => Summarize(PostgresSql.SelectTrialSummariesOfSweep, new { sweep = sweepId });

    public IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId, IReadOnlyCollection<TrialState> states) =>
        Summarize(PostgresSql.SelectTrialSummariesInStates, new { sweep = sweepId, states = StoreRules.StateWords(states) });

    private IReadOnlyList<TrialSummary> Summarize(string sql, object parameters) =>
        Read(() => (IReadOnlyList<TrialSummary>)[.. _connection.Query<TrialRow, EpochRow?, AggregateRow, TrialSummary>(
            sql,
            (trial, last, aggregate) => new TrialSummary(
                trial.ToRecord(), last?.ToRecord().Metrics, checked((int)aggregate.EpochsRun), aggregate.TrainingSeconds),
            parameters,
            splitOn: "TrialId,EpochsRun")]);

    public RunPolicy LoadPolicy(long sweepId) => Read(() => StorePolicies.Load(_connection, null, sweepId));

    public RunPolicy SavePolicy(long sweepId, RunPolicy policy)
    {
        StorePolicies.Require(policy);
        return Transaction(tx =>
        {
            var before = StorePolicies.Load(_connection, tx, sweepId);
            StorePolicies.Save(_connection, tx, sweepId, policy);
            return before;
        });
    }

    public BudgetStop? PolicyStop(long sweepId) => Transaction(tx => Refusal(sweepId, null, tx, locked: true));

    /// <summary>
    /// The stored policy's verdict on a claim now, in the claim's transaction. With a trial budget the sweep's
    /// advisory lock is taken first (unless <paramref name="locked"/>): SKIP LOCKED alone would let two claimers both
    /// count one trial short of the budget and both claim.
    /// </summary>
    private BudgetStop? Refusal(long sweepId, int? maxTrials, IDbTransaction tx, bool locked = false)
    {
        var policy = StorePolicies.WithCap(StorePolicies.Load(_connection, tx, sweepId), maxTrials);
        if (policy.MaxTrials is not null && !locked) _connection.Execute(PostgresSql.LockSweepClaims, new { sweep = sweepId }, tx);
        return StorePolicies.Refusal(_connection, tx, sweepId, policy, PostgresSql.SelectSweepUsage);
    }

    public SweepUsage Usage(long sweepId) => Read(() =>
    {
        var row = _connection.QuerySingle<UsageRow>(PostgresSql.SelectSweepUsage, new { sweep = sweepId });
        return new SweepUsage(checked((int)row.Epochs), row.Seconds);
    });

    public SweepLaunch RecordLaunch(long sweepId, string kind, string jobId, string? scriptPath)
    {
        StoreRules.RequireLaunchArguments(kind, jobId);
        return Read(() => _connection.QuerySingle<LaunchRow>(
            PostgresSql.InsertLaunch, new { sweep = sweepId, kind, job = jobId, script = scriptPath, now = StoreTime.Now() }).ToRecord());
    }

    public IReadOnlyList<SweepLaunch> ListLaunches(long sweepId) =>
        Read(() => (IReadOnlyList<SweepLaunch>)[.. _connection.Query<LaunchRow>(PostgresSql.SelectLaunchesOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public SweepCancellation CancelSweep(long sweepId, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Transaction(tx =>
        {
            _connection.Execute(PostgresSql.InsertCancellation, new { sweep = sweepId, now = StoreTime.Now(), reason }, tx);
            return _connection.QuerySingleOrDefault<CancellationRow>(PostgresSql.SelectCancellation, new { sweep = sweepId }, tx)?.ToRecord()
                   ?? throw StoreRules.NoSuchSweep(sweepId);
        });
    }

    public SweepCancellation? FindCancellation(long sweepId) =>
        Read(() => _connection.QuerySingleOrDefault<CancellationRow>(PostgresSql.SelectCancellation, new { sweep = sweepId })?.ToRecord());

    public bool ClearCancellation(long sweepId) =>
        Read(() => _connection.Execute(PostgresSql.DeleteCancellation, new { sweep = sweepId }) > 0);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
        }
    }

    private T Read<T>(Func<T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work();
        }
    }

    /// <summary>Runs <paramref name="work"/> in a transaction, committed when it returns and rolled back when it throws.</summary>
    private T Transaction<T>(Func<IDbTransaction, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _connection.BeginTransaction();
            var result = work(tx);
            tx.Commit();
            return result;
        }
    }

    /// <summary>The claim's attempt, in the claim's transaction (<see cref="SharedSql.InsertAttempt"/>).</summary>
    private void InsertAttempt(TrialRecord claimed, string now, IDbTransaction tx) =>
        _connection.Execute(SharedSql.InsertAttempt, new { trial = claimed.Id, attempt = (long)claimed.Attempts, worker = claimed.WorkerId, now }, tx);

    /// <summary>Ends the lease's attempt, in the transaction that ends its hold (<see cref="SharedSql.EndAttempt"/>).</summary>
    private void EndAttempt(TrialLease lease, AttemptOutcome outcome, string? reason, IDbTransaction tx) =>
        _connection.Execute(SharedSql.EndAttempt, new
        {
            now = StoreTime.Now(), outcome = TrialStateWords.ToWord(outcome), reason, trial = lease.TrialId, attempt = (long)lease.Attempt,
        }, tx);

    private LeaseLostException LeaseLost(TrialLease lease, string action, IDbTransaction tx) => StoreRules.LeaseLost(
        _name, lease, action, _connection.QuerySingleOrDefault<StateRow>(PostgresSql.SelectTrialStateAndAttempts, new { trial = lease.TrialId }, tx));
}
