using System.Data;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

// Trials and their holders: claims, leases, ends, recovery of lost holders, the attempts record.
internal sealed partial class TrialStore
{
    public TrialRecord? ClaimNext(long sweepId, string workerId, int? maxTrials = null)
    {
        StoreRules.RequireClaimArguments(workerId, maxTrials);
        return Write(tx =>
        {
            // In the claim's transaction, after the claim lock: the spend read here is the spend this claim extends.
            if (Refusal(sweepId, maxTrials, tx) is not null) return null;

            var now = StoreTime.Now();
            TrialRecord? claimed;
            using (var reader = _claim.With("@worker", workerId).With("@now", now).With("@sweep", sweepId).Reader(tx))
            {
                claimed = reader.Parse<TrialRow>().SingleOrDefault()?.ToRecord();
            }

            // Its attempt is written in the same transaction, so no claim is ever without the epoch it started from.
            if (claimed is not null) InsertAttempt(claimed, now, tx);
            return claimed;
        });
    }

    public TrialRecord? AddClaimedTrial(long sweepId, int number, Hyperparameters hyperparameters, string workerId, int? maxTrials = null)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        StoreRules.RequireClaimArguments(workerId, maxTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        return Write(tx =>
        {
            // Under the claim lock: the count read here is the count the insert extends.
            LockSweepClaims(sweepId, tx);
            var counts = _connection.QuerySingle<CountsRow>(StoreSql.SelectTrialCounts, new { sweep = sweepId }, tx);
            if (counts.LastNumber != number - 1 || Refusal(sweepId, maxTrials, tx, locked: true) is not null) return null;
            var now = StoreTime.Now();
            var added = _connection.QuerySingle<TrialRow>(
                StoreSql.InsertClaimedTrial,
                StoreRules.ClaimedTrialParameters(sweepId, number, hyperparameters, workerId, now), tx).ToRecord();
            InsertAttempt(added, now, tx);
            return added;
        });
    }

    public bool Heartbeat(TrialLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Locked(() => Touch(lease, StoreTime.Now(), null) == 1);
    }

    /// <summary>The fence of every holder's write: 0 rows means the lease is lost.</summary>
    private int Touch(TrialLease lease, string now, IDbTransaction? tx) =>
        _touch.With("@now", now).With("@trial", lease.TrialId).With("@attempt", (long)lease.Attempt).Execute(tx);

    public void Finish(TrialLease lease, TrialState state, string? message, int? resultEpoch = null, int? rung = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        StoreRules.RequireFinal(state, rung);
        Write(tx =>
        {
            if (resultEpoch is { } result) StoreRules.RequireStoredEpoch(lease.TrialId, result, LastEpoch(lease.TrialId, tx));

            var finished = _finish
                .With("@state", TrialStateWords.ToWord(state)).With("@now", StoreTime.Now()).With("@message", message)
                .With("@result_epoch", (long?)resultEpoch).With("@rung", (long?)rung)
                .With("@trial", lease.TrialId).With("@attempt", (long)lease.Attempt)
                .Execute(tx);
            if (finished == 0) throw LeaseLost(lease, $"finish as {TrialStateWords.ToWord(state)}", tx);

            EndAttempt(lease, TrialStateWords.OutcomeOf(state), message, tx);

            // Nothing to resume or to keep: a failed or diverged trial's model is of no use. A completed one's may be
            // the best (PruneCheckpoints decides); a pruned one keeps its own until then too.
            if (state is TrialState.Failed or TrialState.Diverged) DeleteCheckpoint(lease.TrialId, tx);
            return 0;
        });
    }

    public void Release(TrialLease lease, string reason)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Write(tx =>
        {
            if (_connection.Execute(StoreSql.ReleaseLeasedTrial, new { trial = lease.TrialId, attempt = (long)lease.Attempt, reason }, tx) == 0)
                throw LeaseLost(lease, "release", tx);
            EndAttempt(lease, AttemptOutcome.Released, reason, tx);
            return 0;
        });
    }

    public IReadOnlyList<RecoveredTrial> RecoverLost(
        long sweepId, TimeSpan staleAfter, IReadOnlyCollection<string> deadWorkers, int maxRetries, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.Recover(running, staleAfter, deadWorkers, maxRetries, reason, write));

    public IReadOnlyList<RecoveredTrial> FailTrialsOf(long sweepId, string workerId, string reason) =>
        Recover(sweepId, (running, write) => StoreRules.FailForError(running, workerId, reason, write));

    /// <summary>Reads the sweep's running trials and writes what <paramref name="decide"/> makes of them, in one transaction.</summary>
    private IReadOnlyList<RecoveredTrial> Recover(
        long sweepId, Func<IReadOnlyList<RunningRow>, Action<RecoveryWrite>, IReadOnlyList<RecoveredTrial>> decide) =>
        Write(tx =>
        {
            // Lock, then read (see StoreSql.LockRunningTrialsOfSweep): the epochs read are those the decisions stand on.
            var locked = _connection.Query<long>(_sql.LockRunningTrialsOfSweep, new { sweep = sweepId }, tx).ToArray();
            var running = _connection.Query<RunningRow>(_sql.SelectLockedRunningTrials, new { sweep = sweepId, locked }, tx).ToList();
            return decide(running, write =>
            {
                _connection.Execute(StoreSql.EndAttempt, write.AttemptParameters, tx);
                if (write.Outcome.NewState == TrialState.Failed)
                {
                    _connection.Execute(StoreSql.FailLostTrial, write.TrialParameters, tx);
                    DeleteCheckpoint(write.Trial.Id, tx);
                }
                else
                {
                    _connection.Execute(StoreSql.RequeueLostTrial, write.TrialParameters, tx);
                }
            });
        });

    public IReadOnlyList<TrialAttempt> ListAttempts(long sweepId) =>
        Locked(() => (IReadOnlyList<TrialAttempt>)[.. _connection.Query<AttemptRow>(StoreSql.SelectAttemptsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())]);
}
