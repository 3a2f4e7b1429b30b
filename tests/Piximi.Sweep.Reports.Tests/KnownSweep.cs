using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// A real SQLite store holding one sweep with known numbers: Adam, SGD and RMSProp × learning rates 0.01, 0.03 ×
/// batch sizes 32, 64 × seeds 0, 1 (24 trials, 3 epochs each). Trial n's final val_accuracy is
/// 0.5 + ((7n) mod 24) · 0.02, all different; trial 17 is the best (0.96), and its epoch 2 is better still (0.97).
/// Trial 5 fails after one epoch, trial 6 diverges at epoch 2 (NaN loss). Trial 10 loses its first worker after
/// epoch 1 and is finished by another. Partial: the last 3 trials (22–24) stay queued and the one before them (21)
/// is left running after one epoch.
/// </summary>
internal sealed class KnownSweep : IDisposable
{
    public const int Trials = 24;
    public const int BestTrial = 17;
    public const string FailedMessage = "out of memory: batch of 64 at 28×28, \"try a smaller batch\"";
    public const string DivergedMessage = "loss became NaN at epoch 2";
    public const int ResumedTrial = 10;
    public const string LostReason = "worker 4747 was killed by signal 9 (SIGKILL)";
    public static readonly string[] ClassNames = ["cat", "<script>alert(1)</script>", "dog"];

    /// <summary>Non-symmetric, so swapping precision and recall changes every class's numbers.</summary>
    public static readonly int[][] BestConfusion = [[5, 2, 1], [0, 7, 3], [4, 0, 6]];

    private readonly TempFolder _folder = new();

    public KnownSweep(bool partial, string name = "mnist-grid", string? storeName = null, ParameterSpace? space = null)
    {
        StorePath = _folder.File(storeName ?? "sweep.db");
        Store = TrialStores.OpenSqlite(StorePath);
        Definition = new SweepDefinition(name,
            new DatasetSpec("idx", "/data/mnist/train-images-idx3-ubyte.gz", "/data/mnist/train-labels-idx1-ubyte.gz", 0.75, Subset: 1000)
            {
                Facts = new DatasetFacts(new InputShape(28, 28, 1), 1000, 0),
            },
            ModelKind.SimpleCNN, MetricNames.ValAccuracy, space ?? Space)
        {
            Description = "<b>MNIST</b> grid & more",
        };
        Sweep = Store.CreateSweep(Definition, Grid.Expand(Definition.Parameters));
        Run(partial);
    }

    public static ParameterSpace Space { get; } = new(
        [OptimizerKind.Adam, OptimizerKind.StochasticGradientDescent, OptimizerKind.RMSProp],
        [LossKind.CategoricalCrossEntropy],
        [0.01, 0.03],
        [32, 64],
        [3],
        null,
        [0, 1]);

    public string StorePath { get; }

    public ITrialStore Store { get; }

    public SweepDefinition Definition { get; }

    public SweepRecord Sweep { get; }

    public SweepReport Load() => SweepReport.Load(Store, Sweep);

    public static double FinalValAccuracy(int number) => 0.5 + 7 * number % 24 * 0.02;

    /// <summary>Epoch e of 3: val_accuracy climbs to the final value; trial 17's epoch 2 is its best.</summary>
    public static EpochMetrics Epoch(int number, int epoch)
    {
        var valAccuracy = number == BestTrial && epoch == 2 ? 0.97 : FinalValAccuracy(number) - 0.05 * (3 - epoch);
        return new EpochMetrics(epoch, 1.0 / (epoch + number), 0.6 + 0.1 * epoch, 1.2 / (epoch + number), valAccuracy,
            Seconds: 2.5 + 0.25 * number + epoch, ImagesPerSecond: 1000);
    }

    private void Run(bool partial)
    {
        // Partial: the last three trials stay queued and the one before them is left running.
        var count = Store.ListTrials(Sweep.Id).Count;
        var last = partial ? count - 3 : count;
        for (var number = 1; number <= last; number++)
        {
            var trial = Store.ClaimNext(Sweep.Id, "worker-1") ?? throw new InvalidOperationException("queue ran dry");
            Assert.Equal(number, trial.Number);
            var lease = TrialLease.Of(trial);
            if (number == 5)
            {
                Store.RecordEpoch(lease, Epoch(number, 1), [1, 2, 3]);
                Store.Finish(lease, TrialState.Failed, FailedMessage);
                continue;
            }
            if (number == 6)
            {
                Store.RecordEpoch(lease, Epoch(number, 1), [1, 2, 3]);
                Store.RecordEpoch(lease, Epoch(number, 2) with { Loss = double.NaN, ValLoss = double.NaN }, [1, 2, 3]);
                Store.Finish(lease, TrialState.Diverged, DivergedMessage);
                continue;
            }
            if (partial && number == last)
            {
                Store.RecordEpoch(lease, Epoch(number, 1), [1, 2, 3]);
                continue; // still running
            }
            var first = 1;
            if (number == ResumedTrial)
            {
                Store.RecordEpoch(lease, Epoch(number, 1), [1, 2, 3]);
                Assert.Single(Store.RecoverLost(Sweep.Id, TimeSpan.MaxValue, ["worker-1"], maxRetries: 2, LostReason));
                trial = Store.ClaimNext(Sweep.Id, "worker-2")!;
                Assert.Equal(number, trial.Number);
                lease = TrialLease.Of(trial);
                first = 2;
            }
            for (var epoch = first; epoch <= 3; epoch++) Store.RecordEpoch(lease, Epoch(number, epoch), [1, 2, 3]);
            int[][] confusion = number == BestTrial ? BestConfusion : [[3, 0, 0], [0, 3, 0], [0, 0, 3]];
            Store.RecordEvaluation(lease, new TrialEvaluation(trial.Id, ClassNames, confusion));
            Store.Finish(lease, TrialState.Completed, null);
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
