using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

/// <summary>The real Fashion-MNIST files (apt package dataset-fashion-mnist) and small specs over them.</summary>
internal static class FashionMnist
{
    internal const string Folder = "/usr/share/datasets/fashion-mnist";
    internal static readonly string TestImages = Path.Combine(Folder, "t10k-images-idx3-ubyte.gz");
    internal static readonly string TestLabels = Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz");
    internal static readonly string TrainImages = Path.Combine(Folder, "train-images-idx3-ubyte.gz");
    internal static readonly string TrainLabels = Path.Combine(Folder, "train-labels-idx1-ubyte.gz");

    /// <summary>A subset of the 10,000 test images (smaller file, faster to read than the 60,000).</summary>
    internal static DatasetSpec Spec(int? subset, double trainingPercentage = 0.8) =>
        new("idx", TestImages, TestLabels, trainingPercentage, subset);

    internal static SweepDefinition Sweep(DatasetSpec dataset) =>
        new("test", dataset, ModelKind.SimpleCNN, "val_accuracy",
            new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.01], [32], [1], null, [0]));

    /// <summary>Every test that touches tensors starts here: one thread, so seeded runs compare and cores are shared.</summary>
    internal static void InitializeTorch() => TorchRuntime.Initialize(threads: 1);
}

internal static class Tensors
{
    /// <summary>Same shape and every element equal.</summary>
    internal static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}

internal static class Outcomes
{
    /// <summary>The outcome without its confusion counts, to compare with one written out in a test.</summary>
    internal static TrainingOutcome WithoutConfusion(this TrainingOutcome outcome) => outcome with { Confusion = [] };
}
