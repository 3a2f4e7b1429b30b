using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>Sweep definitions and grids to store.</summary>
internal static class Sweeps
{
    public static SweepDefinition Definition(string name = "mnist-grid", double learningRate = 0.01) => new(
        name,
        new DatasetSpec("idx", "/data/mnist/images.idx", "/data/mnist/labels.idx", 0.75, Subset: 1000),
        ModelKind.SimpleCNN,
        "val_accuracy",
        new ParameterSpace(
            [OptimizerKind.Adam, OptimizerKind.Momentum],
            [LossKind.CategoricalCrossEntropy],
            [learningRate],
            [32, 64],
            [10],
            TimeSpan.FromMinutes(5),
            [0, 1]));

    /// <summary>
    /// <paramref name="count"/> distinct hyperparameter sets that touch every enum value, both kinds of time budget
    /// and learning rates that are not round in binary.
    /// </summary>
    public static IReadOnlyList<Hyperparameters> Grid(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new Hyperparameters(
            Enum.GetValues<OptimizerKind>()[i % Enum.GetValues<OptimizerKind>().Length],
            Enum.GetValues<LossKind>()[i % Enum.GetValues<LossKind>().Length],
            0.1 * (i + 1) / 3,
            16 << (i % 3),
            1 + (i % 5),
            i % 2 == 0 ? null : TimeSpan.FromSeconds(90.5 + i),
            i)),
    ];

    public static EpochMetrics Epoch(int epoch, double loss = 0.25) =>
        new(epoch, loss, 0.9, loss * 1.5, 0.85, 1.25, 4096.5);

    /// <summary>The schema version a store of this build has: 8 since the run policy is stored.</summary>
    public const int LatestSchema = 12;
}
