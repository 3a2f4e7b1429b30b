using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// How a trial ended. <see cref="EpochsRun"/> counts the trial's good epochs, those before a resume included (the
/// trial's last epoch number, not how many this call reported): a diverged epoch is not reported (its metrics are NaN
/// or infinite) and not counted.
/// </summary>
public sealed record TrainingOutcome(TrialState State, string? Message, int EpochsRun);

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
