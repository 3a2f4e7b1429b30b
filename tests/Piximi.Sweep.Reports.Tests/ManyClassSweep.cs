using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// A real SQLite store whose report stresses the layout: an IDX sweep with <c>classes</c> classes (Fashion-MNIST's ten
/// names, then long made-up ones), 3 optimizers × 3 loss functions (one with a long name) × 2 learning rates × 2 batch
/// sizes (36 trials, 6 epochs each, ASHA), final val_accuracy between 0.80 and 0.84 (so a 0–1 axis hides the spread),
/// every third trial pruned after 2 epochs. The best trial's confusion matrix has most images on its diagonal.
/// </summary>
internal sealed class ManyClassSweep : IDisposable
{
    private static readonly string[] FashionMnist =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly TempFolder _folder = new();

    public ManyClassSweep(int classes)
    {
        ClassNames = [.. Enumerable.Range(0, classes).Select(i => i < FashionMnist.Length ? FashionMnist[i]
            : $"Very long class name number {i} (microscopy phenotype)")];
        Store = TrialStores.OpenSqlite(_folder.File("classes.db"));
        var space = new ParameterSpace([OptimizerKind.Adam, OptimizerKind.RMSProp, OptimizerKind.StochasticGradientDescent],
            [LossKind.CategoricalCrossEntropy, LossKind.SigmoidCrossEntropy, LossKind.MeanSquaredError], [0.001, 0.003], [32, 64], [6], null, [0]);
        var definition = new SweepDefinition($"fashion-{classes}",
            new DatasetSpec("idx", "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
                "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz", 0.75, Subset: 6000) { Classes = ClassNames },
            ModelKind.SimpleCNN, MetricNames.ValAccuracy, space)
        {
            Description = "Fashion-MNIST with <i>long</i> class names & an ASHA pruner",
            Pruner = new PrunerSpec(PrunerKind.Asha) { MinEpochs = 2, ReductionFactor = 3 },
        };
        Sweep = Store.CreateSweep(definition, Grid.Expand(definition.Parameters));
        Run();
    }

    public IReadOnlyList<string> ClassNames { get; }

    public ITrialStore Store { get; }

    public SweepRecord Sweep { get; }

    public SweepReport Load() => SweepReport.Load(Store, Sweep);

    private void Run()
    {
        for (var number = 1; ; number++)
        {
            if (Store.ClaimNext(Sweep.Id, "worker-1") is not { } trial) break;
            var lease = TrialLease.Of(trial);
            var pruned = number % 3 == 0;
            var final = 0.80 + (number * 7 % 36) / 36.0 * 0.04;
            for (var epoch = 1; epoch <= (pruned ? 2 : 6); epoch++)
            {
                var v = final - 0.01 * (6 - epoch);
                Store.RecordEpoch(lease, new EpochMetrics(epoch, 0.9 - v / 2, v + 0.02, 1 - v / 2, v, Seconds: 3, ImagesPerSecond: 1000), [1]);
            }
            if (pruned)
            {
                Store.Finish(lease, TrialState.Pruned, "rung 0 (epoch 2): below the cut-off", null, 0);
                continue;
            }
            Store.RecordEvaluation(lease, new TrialEvaluation(trial.Id, ClassNames, Confusion(ClassNames.Count, number)));
            Store.Finish(lease, TrialState.Completed, null);
        }
    }

    /// <summary>Four-digit counts on the diagonal, a few mistakes beside it: the diagonal is the number that must show.</summary>
    private static int[][] Confusion(int classes, int number) =>
    [
        .. Enumerable.Range(0, classes).Select(r => Enumerable.Range(0, classes)
            .Select(c => r == c ? 1000 + 10 * r + number : (r + c + number) % 7 == 0 ? 12 : 0).ToArray()),
    ];

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
