namespace Piximi.Sweep.Core;

public enum TrialState
{
    Queued,
    Running,
    Completed,
    Failed,
    /// <summary>The loss became NaN or infinite; the trial stopped at that epoch.</summary>
    Diverged,
    Pruned,
}

/// <summary>What one epoch of one trial measured. Accuracies are fractions in [0, 1].</summary>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double Accuracy,
    double ValLoss,
    double ValAccuracy,
    double Seconds,
    double ImagesPerSecond);

public sealed record SweepRecord(long Id, string Name, SweepDefinition Definition, DateTimeOffset CreatedAt);

public sealed record TrialRecord(
    long Id,
    long SweepId,
    int Number,
    Hyperparameters Hyperparameters,
    TrialState State,
    string? WorkerId,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Message)
{
    /// <summary>The holder's last sign of life (claim, epoch or heartbeat); null unless running.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>How many times a holder of this trial was lost (worker died or stopped answering).</summary>
    public int Lost { get; init; }

    /// <summary>
    /// The epoch whose model is the trial's result, when early stopping kept an earlier one than the last; null means
    /// the last stored epoch.
    /// </summary>
    public int? ResultEpoch { get; init; }

    /// <summary>The rung (0 = first) an ASHA or Hyperband pruner judged a pruned trial at; null otherwise.</summary>
    public int? Rung { get; init; }
}

public sealed record EpochRecord(long TrialId, EpochMetrics Metrics, DateTimeOffset RecordedAt);

/// <summary>
/// How a completed trial's final model does on its validation images: <see cref="Confusion"/>[actual][predicted]
/// counts, one row and column per class in <see cref="ClassNames"/> order.
/// </summary>
public sealed record TrialEvaluation(long TrialId, IReadOnlyList<string> ClassNames, IReadOnlyList<IReadOnlyList<int>> Confusion);

/// <summary>How an attempt at a trial ended: in the trial's final state, given back to the queue, or with its holder lost.</summary>
public enum AttemptOutcome
{
    Completed,
    Failed,
    Diverged,
    Pruned,
    /// <summary>Given back to the queue (interrupted, a deadline or budget, the sweep cancelled, or copied away).</summary>
    Released,
    /// <summary>Its worker was lost: killed, crashed natively, or stopped beating.</summary>
    Lost,
}

/// <summary>
/// One claim of a trial: attempt n is its n-th claim (the number that fences the holder's writes), by
/// <see cref="WorkerId"/>, when the trial's last stored epoch was <see cref="StartEpoch"/> (null: claimed before the
/// store recorded attempts); once it ended, the last stored epoch then (<see cref="EndEpoch"/>), how (<see cref="Outcome"/>) and why.
/// </summary>
public sealed record TrialAttempt(
    long TrialId,
    int Attempt,
    string WorkerId,
    DateTimeOffset? StartedAt,
    int? StartEpoch,
    DateTimeOffset? EndedAt,
    int? EndEpoch,
    AttemptOutcome? Outcome,
    string? Reason)
{
    /// <summary>Epochs were stored during the attempt (unknown, so false, for one claimed before attempts were recorded).</summary>
    public bool MadeProgress => StartEpoch is { } start && EndEpoch is { } end && end > start;
}
