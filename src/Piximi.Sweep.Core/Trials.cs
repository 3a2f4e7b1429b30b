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
