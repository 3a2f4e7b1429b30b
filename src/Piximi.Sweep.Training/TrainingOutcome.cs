using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// How a trial ended. <see cref="EpochsRun"/> counts the epochs reported through <c>onEpoch</c>: a diverged epoch is
/// not reported (its metrics are NaN or infinite) and not counted.
/// </summary>
public sealed record TrainingOutcome(TrialState State, string? Message, int EpochsRun);

/// <summary>One finished epoch: its metrics and the checkpoint to resume after it (opaque bytes, stored as they are).</summary>
public sealed record EpochResult(EpochMetrics Metrics, byte[] Checkpoint);

/// <summary>Where to pick a trial up: after <see cref="Epoch"/>, from that epoch's checkpoint.</summary>
public sealed record TrainingResume(int Epoch, byte[] Checkpoint);
