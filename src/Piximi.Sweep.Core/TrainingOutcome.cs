namespace Piximi.Sweep.Core;

/// <summary>
/// How a trial ended. <see cref="EpochsRun"/> counts the trial's good epochs, those before a resume included (the
/// trial's last epoch number, not how many this call reported): a diverged epoch is not reported (its metrics are NaN
/// or infinite) and not counted. Equality compares <see cref="Confusion"/> by its counts.
/// </summary>
public sealed record TrainingOutcome(TrialState State, string? Message, int EpochsRun)
{
    /// <summary>
    /// The epoch whose weights are the trial's final model: with early stopping, the best epoch of the sweep's
    /// early-stopping metric (its weights are restored when training ends, whatever ended it); null when the sweep has
    /// no early stopping (the model is the last epoch's), or when no epoch finished.
    /// </summary>
    public int? ResultEpoch { get; init; }

    /// <summary>
    /// The validation confusion counts of the final model, [actual][predicted]: of <see cref="ResultEpoch"/>'s
    /// restored weights with early stopping, else of the last epoch (the last <see cref="EpochResult.Confusion"/>).
    /// Empty when no epoch finished (e.g. a trial that diverged in its first epoch).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> Confusion { get; init; } = [];

    public bool Equals(TrainingOutcome? other) =>
        other is not null
        && State == other.State && Message == other.Message && EpochsRun == other.EpochsRun
        && ResultEpoch == other.ResultEpoch
        && Confusion.Count == other.Confusion.Count
        && Confusion.Zip(other.Confusion).All(rows => rows.First.SequenceEqual(rows.Second));

    public override int GetHashCode() => HashCode.Combine(State, Message, EpochsRun, ResultEpoch, Confusion.Count);
}

/// <summary>One finished epoch: its metrics and the checkpoint to resume after it (opaque bytes, stored as they are).</summary>
public sealed record EpochResult(EpochMetrics Metrics, byte[] Checkpoint)
{
    /// <summary>The validation confusion counts of this epoch's model, [actual][predicted], one row per class.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Confusion { get; init; } = [];
}

/// <summary>
/// Where to pick a trial up: after <see cref="Epoch"/>, from that epoch's checkpoint (as <see cref="EpochResult"/>
/// gave it). The checkpoint must be this trial's and of that epoch, or training refuses to start.
/// </summary>
public sealed record TrainingResume(int Epoch, byte[] Checkpoint);
