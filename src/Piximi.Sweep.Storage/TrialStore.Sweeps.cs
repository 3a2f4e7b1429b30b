using System.Data;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

// Sweeps and what is stored with them: the run policy, batch launches, cancellation, the live orchestrator.
internal sealed partial class TrialStore
{
    public SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        var json = SweepJson.Serialize(definition);
        return Write(tx =>
        {
            var existing = _connection.QuerySingleOrDefault<SweepRow>(StoreSql.SelectSweepByName, new { name = definition.Name }, tx);
            var id = existing is null
                ? _connection.ExecuteScalar<long?>(StoreSql.InsertSweep, new { definition.Name, DefinitionJson = json, CreatedAt = StoreTime.Now() }, tx)
                : null;
            if (id is null)
            {
                // It existed, or another creator inserted it a moment ago (ON CONFLICT DO NOTHING then returns nothing).
                existing ??= _connection.QuerySingle<SweepRow>(StoreSql.SelectSweepByName, new { name = definition.Name }, tx);
                // Compare canonical forms, re-serializing the stored one: a definition stored before a harmless change
                // of the JSON form still matches the same definition.
                if (!SweepJson.SameSweep(existing.DefinitionJson, definition))
                {
                    throw new SweepConflictException(
                        $"The store {Name} already has a sweep named '{definition.Name}' with another definition. " +
                        "Rename the sweep to run the new definition, or use another store.");
                }

                return existing.ToRecord();
            }

            // One statement for all rows: Dapper runs it for each parameter object of the sequence.
            _connection.Execute(StoreSql.InsertTrial, trials.Select((h, i) => StoreRules.TrialParameters(id.Value, i + 1, h)), tx);
            return _connection.QuerySingle<SweepRow>(StoreSql.SelectSweepById, new { id }, tx).ToRecord();
        });
    }

    public SweepRecord? FindSweep(string name) =>
        Locked(() => _connection.QuerySingleOrDefault<SweepRow>(StoreSql.SelectSweepByName, new { name })?.ToRecord());

    public IReadOnlyList<SweepRecord> ListSweeps() =>
        Locked(() => (IReadOnlyList<SweepRecord>)[.. _connection.Query<SweepRow>(StoreSql.SelectSweeps).Select(r => r.ToRecord())]);

    // ---- The run policy ----

    public RunPolicy LoadPolicy(long sweepId) => Locked(() => StorePolicies.Load(_connection, null, sweepId));

    public RunPolicy SavePolicy(long sweepId, RunPolicy policy)
    {
        StorePolicies.Require(policy);
        return Write(tx =>
        {
            var before = StorePolicies.Load(_connection, tx, sweepId);
            StorePolicies.Save(_connection, tx, sweepId, policy);
            return before;
        });
    }

    public BudgetStop? PolicyStop(long sweepId) => Snapshot(tx => Refusal(sweepId, null, tx, locked: true));

    /// <summary>
    /// The stored policy's verdict on a claim now, in the claim's transaction (<see cref="StorePolicies.Refusal"/>).
    /// With a trial budget the dialect's claim lock is taken first (unless <paramref name="locked"/>): PostgreSQL's
    /// SKIP LOCKED alone would let two claimers both count one trial short of the budget and both claim.
    /// </summary>
    private BudgetStop? Refusal(long sweepId, int? maxTrials, IDbTransaction? tx, bool locked = false)
    {
        var policy = StorePolicies.WithCap(StorePolicies.Load(_connection, tx, sweepId), maxTrials);
        if (policy.MaxTrials is not null && !locked) LockSweepClaims(sweepId, tx);
        return StorePolicies.Refusal(_connection, tx, sweepId, policy);
    }

    private void LockSweepClaims(long sweepId, IDbTransaction? tx)
    {
        if (_dialect.LockSweepClaims is { } sql) _connection.Execute(sql, new { sweep = sweepId }, tx);
    }

    public SweepUsage Usage(long sweepId) => Locked(() =>
    {
        var row = _connection.QuerySingle<UsageRow>(StoreSql.SelectSweepUsage, new { sweep = sweepId });
        return new SweepUsage(checked((int)row.Epochs), row.Seconds);
    });

    // ---- Launches and cancellation ----

    public SweepLaunch RecordLaunch(long sweepId, string kind, string jobId, string? scriptPath)
    {
        StoreRules.RequireLaunchArguments(kind, jobId);
        return Locked(() => _connection.QuerySingle<LaunchRow>(
            StoreSql.InsertLaunch, new { sweep = sweepId, kind, job = jobId, script = scriptPath, now = StoreTime.Now() }).ToRecord());
    }

    public IReadOnlyList<SweepLaunch> ListLaunches(long sweepId) =>
        Locked(() => (IReadOnlyList<SweepLaunch>)[.. _connection.Query<LaunchRow>(StoreSql.SelectLaunchesOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);

    public SweepCancellation CancelSweep(long sweepId, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Write(tx =>
        {
            _connection.Execute(StoreSql.InsertCancellation, new { sweep = sweepId, now = StoreTime.Now(), reason }, tx);
            return _connection.QuerySingleOrDefault<CancellationRow>(StoreSql.SelectCancellation, new { sweep = sweepId }, tx)?.ToRecord()
                   ?? throw StoreRules.NoSuchSweep(sweepId);
        });
    }

    public SweepCancellation? FindCancellation(long sweepId) =>
        Locked(() => _connection.QuerySingleOrDefault<CancellationRow>(StoreSql.SelectCancellation, new { sweep = sweepId })?.ToRecord());

    public bool ClearCancellation(long sweepId) =>
        Locked(() => _connection.Execute(StoreSql.DeleteCancellation, new { sweep = sweepId }) > 0);

    // ---- The sweep's orchestrator ----

    public OrchestrationClaim ClaimOrchestration(long sweepId, string host, int pid, TimeSpan grace, OrchestratorRecord? gone = null)
    {
        var parameters = StoreRules.OrchestrationParameters(sweepId, host, pid, grace);
        // In one write transaction, the row read (locked) is the row replaced.
        return Write(tx => StoreRules.ClaimOrchestration(
            _connection.QuerySingleOrDefault<OrchestratorRow>(StoreSql.InsertOrchestrator, parameters, tx),
            () => _connection.QuerySingleOrDefault<OrchestratorRow>(_sql.SelectOrchestratorForUpdate, new { sweep = sweepId }, tx),
            () => _connection.QuerySingle<OrchestratorRow>(StoreSql.ReplaceOrchestrator, parameters, tx),
            gone, sweepId));
    }

    public OrchestratorRecord? FindOrchestrator(long sweepId) =>
        Locked(() => _connection.QuerySingleOrDefault<OrchestratorRow>(StoreSql.SelectOrchestrator + ";", new { sweep = sweepId })?.ToRecord());

    public bool BeatOrchestrator(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        return Locked(() => _connection.Execute(StoreSql.BeatOrchestrator, StoreRules.OrchestratorParameters(orchestrator)) == 1);
    }

    public void EndOrchestration(OrchestratorRecord orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        Locked(() => _connection.Execute(StoreSql.DeleteOrchestrator, StoreRules.OrchestratorParameters(orchestrator)));
    }
}
