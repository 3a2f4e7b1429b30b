namespace Piximi.Sweep.Core;

/// <summary>
/// What a worker trains a trial with: TorchSharp's training (<c>Piximi.Sweep.Training.TorchTrainer</c>) in every real
/// sweep; <see cref="SyntheticTrainer"/> in benchmarks of the engine alone. One instance per worker process, holding
/// the dataset it loaded; one trial at a time.
/// </summary>
public interface ITrainer
{
    /// <summary>The dataset's class names, in label order (for the final model's confusion matrix).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Trains (or, from <paramref name="resume"/>, continues) one trial, calling <paramref name="onEpoch"/> after each
    /// epoch; it stores the epoch and returns null to go on, or a reason to prune the trial there. The contract of
    /// <c>Piximi.Sweep.Training.Trainer.Train</c>: its outcomes, checkpoints, divergence and cancellation.
    /// </summary>
    TrainingOutcome Train(SweepDefinition sweep, Hyperparameters hyperparameters, TrainingResume? resume,
        Func<EpochResult, string?> onEpoch, CancellationToken cancellationToken);
}
