using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>The trainer of every real sweep: <see cref="Trainer.Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Func{EpochResult, string}, CancellationToken)"/> on a worker's dataset and device.</summary>
public sealed class TorchTrainer(ImageDataset data, string device) : ITrainer
{
    public IReadOnlyList<string> ClassNames => data.ClassNames;

    public TrainingOutcome Train(SweepDefinition sweep, Hyperparameters hyperparameters, TrainingResume? resume,
        Func<EpochResult, string?> onEpoch, CancellationToken cancellationToken) =>
        Trainer.Train(data, sweep, hyperparameters, device, resume, onEpoch, cancellationToken);
}
