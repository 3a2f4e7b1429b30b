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
    /// worker (one statement: exactly one concurrent claimer gets it). Null when none is queued.
    /// </summary>
    TrialRecord? ClaimNext(long sweepId, string workerId);

    /// <summary>Appends one epoch's metrics to a running trial.</summary>
    void RecordEpoch(long trialId, EpochMetrics metrics);

    /// <summary>Ends a running trial in a final state (completed, failed, diverged, pruned) with an optional reason.</summary>
    void Finish(long trialId, TrialState state, string? message);

    /// <summary>Puts trials left <see cref="TrialState.Running"/> by workers that are gone back in the queue.</summary>
    int RequeueRunning(long sweepId);

    IReadOnlyList<TrialRecord> ListTrials(long sweepId);

    /// <summary>All epochs of the sweep's trials, ordered by trial and epoch.</summary>
    IReadOnlyList<EpochRecord> ListEpochs(long sweepId);
}

public sealed class SweepConflictException(string message) : Exception(message);
