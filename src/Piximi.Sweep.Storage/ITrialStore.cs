using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The single source of truth of a sweep, and the only channel between the orchestrator and its workers.
/// Every method commits before it returns; several processes may use one store at once.
/// </summary>
public interface ITrialStore : IDisposable
{
    /// <summary>
    /// Creates the sweep and queues its trials (numbered 1..n in the given order) in one transaction. When a sweep
    /// of that name exists with the same definition, returns it unchanged (re-running a sweep file resumes it);
    /// with another definition, throws <see cref="SweepConflictException"/> and writes nothing.
    /// </summary>
    SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials);

    SweepRecord? FindSweep(string name);

    IReadOnlyList<SweepRecord> ListSweeps();

    /// <summary>
    /// Atomically moves the lowest-numbered queued trial of the sweep to <see cref="TrialState.Running"/> for this
    /// worker (one statement: exactly one concurrent claimer gets it). Null when none is queued. A trial claimed
    /// again after <see cref="RequeueRunning"/> starts over: the epochs of its abandoned attempt are dropped with
    /// the claim, and its attempts count goes up.
    /// </summary>
    TrialRecord? ClaimNext(long sweepId, string workerId);

    /// <summary>
    /// Appends one epoch's metrics to a running trial; they come back bit for bit (a NaN as a NaN). Throws
    /// <see cref="InvalidOperationException"/> when the trial is not running or already has that epoch.
    /// </summary>
    void RecordEpoch(long trialId, EpochMetrics metrics);

    /// <summary>
    /// Ends a running trial in a final state (completed, failed, diverged, pruned) with an optional reason. Throws
    /// <see cref="InvalidOperationException"/>, naming the trial and its state, when the trial is not running, and
    /// <see cref="ArgumentOutOfRangeException"/> for queued or running as the final state.
    /// </summary>
    void Finish(long trialId, TrialState state, string? message);

    /// <summary>
    /// Puts trials left <see cref="TrialState.Running"/> by workers that are gone back in the queue, keeping their
    /// attempts count and epochs; returns how many. Call it only when no worker of the sweep is alive.
    /// </summary>
    int RequeueRunning(long sweepId);

    /// <summary>The sweep's trials, ordered by number.</summary>
    IReadOnlyList<TrialRecord> ListTrials(long sweepId);

    /// <summary>All epochs of the sweep's trials, ordered by trial and epoch.</summary>
    IReadOnlyList<EpochRecord> ListEpochs(long sweepId);
}

/// <summary>A sweep of that name exists with another definition; the message says which and what to do.</summary>
public sealed class SweepConflictException(string message) : Exception(message);

/// <summary>
/// The store was written by a newer Piximi.Sweep (its schema version is above the newest this build knows); the
/// message names both versions. Nothing was changed.
/// </summary>
public sealed class StoreVersionException(string message) : Exception(message);
