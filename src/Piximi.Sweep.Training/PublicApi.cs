// CONTRACT STUB written by the orchestrator engineer; the training engineer replaces the bodies (and may move the
// types into files of their own) but keeps these public signatures, which the CLI codes against.
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>Starting TorchSharp in this process.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Loads the glibc++ compatibility shim when the build produced one (see native/), then sets the number of
    /// intra-op threads. Call once before any other member of this assembly. Idempotent.
    /// </summary>
    public static void Initialize(int threads) => throw new NotImplementedException();

    /// <summary>Number of CUDA devices TorchSharp sees (0 on the CPU build).</summary>
    public static int CudaDeviceCount() => throw new NotImplementedException();
}

/// <summary>A dataset could not be read: the message names the file and what is wrong.</summary>
public sealed class DatasetException(string message) : Exception(message);

/// <summary>Labelled images held in memory, loaded once per worker and shared by all its trials.</summary>
public sealed class ImageDataset
{
    public int Count => throw new NotImplementedException();
    public int Classes => throw new NotImplementedException();

    /// <summary>Reads the images (applying the spec's fixed subset). Throws <see cref="DatasetException"/>.</summary>
    public static ImageDataset Load(DatasetSpec spec) => throw new NotImplementedException();

    /// <summary>Counts the images the spec yields (after its subset) from the file headers only; for validation.</summary>
    public static int CountImages(DatasetSpec spec) => throw new NotImplementedException();
}

public sealed record TrainingOutcome(TrialState State, string? Message, int EpochsRun);

public static class Trainer
{
    /// <summary>
    /// Trains one trial on <paramref name="device"/> ("cpu" or "cuda:N"), calling <paramref name="onEpoch"/> after
    /// every epoch (the caller stores it before training goes on). Seeded: same data, hyperparameters and seed give
    /// the same split and the same metrics on CPU. Stops early with <see cref="TrialState.Diverged"/> on a NaN or
    /// infinite loss, and before an epoch that would overrun the time budget.
    /// </summary>
    public static TrainingOutcome Train(
        ImageDataset data,
        SweepDefinition sweep,
        Hyperparameters hyperparameters,
        string device,
        Action<EpochMetrics> onEpoch,
        CancellationToken cancellationToken) => throw new NotImplementedException();
}
