using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// How a trial ended. <see cref="EpochsRun"/> counts the epochs reported through <c>onEpoch</c>: a diverged epoch is
/// not reported (its metrics are NaN or infinite) and not counted.
/// </summary>
public sealed record TrainingOutcome(TrialState State, string? Message, int EpochsRun);
