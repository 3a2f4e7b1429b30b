using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

/// <summary>Real training of SimpleCNN on small Fashion-MNIST subsets.</summary>
public class TrainerOnFashionMnist : IClassFixture<TrainerOnFashionMnist.Data>
{
    /// <summary>500 images, 400 training and 100 validating, loaded once for the class.</summary>
    public sealed class Data : IDisposable
    {
        public Data()
        {
            FashionMnist.InitializeTorch();
            Spec = FashionMnist.Spec(500, trainingPercentage: 0.8);
            Images = ImageDataset.Load(Spec);
        }

        internal DatasetSpec Spec { get; }
        internal ImageDataset Images { get; }

        public void Dispose() => Images.Dispose();
    }

    private readonly Data _data;

    public TrainerOnFashionMnist(Data data)
    {
        FashionMnist.InitializeTorch();
        _data = data;
    }

    private static Hyperparameters Adam(int epochs = 2, int seed = 0, TimeSpan? budget = null) =>
        new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, epochs, budget, seed);

    private (TrainingOutcome Outcome, List<EpochMetrics> Epochs) Train(Hyperparameters hp, CancellationToken ct = default)
    {
        var epochs = new List<EpochMetrics>();
        var outcome = Trainer.Train(_data.Images, FashionMnist.Sweep(_data.Spec), hp, "cpu", epochs.Add, ct);
        return (outcome, epochs);
    }

    [Fact]
    public void LearnsWellAboveChanceInTwoEpochsWithAdam()
    {
        var (outcome, epochs) = Train(Adam());

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 2), outcome.WithoutConfusion());
        Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
        Assert.True(epochs[^1].ValAccuracy > 0.5, $"val accuracy {epochs[^1].ValAccuracy} (chance 0.1)");
        Assert.True(epochs[^1].Loss < epochs[0].Loss, "training loss should fall");
    }

    [Fact]
    public void ReportsEachEpochsValidationConfusionMatrixAgreeingWithItsAccuracy()
    {
        var results = new List<EpochResult>();
        Trainer.Train(_data.Images, FashionMnist.Sweep(_data.Spec), Adam(epochs: 2), "cpu", null, results.Add, CancellationToken.None);

        Assert.Equal(2, results.Count);
        foreach (var result in results)
        {
            var confusion = result.Confusion;
            Assert.Equal(_data.Images.Classes, confusion.Count);
            Assert.All(confusion, row => Assert.Equal(_data.Images.Classes, row.Count));
            // 100 validation images, each counted once; the diagonal is what val_accuracy counted as right.
            Assert.Equal(100, confusion.Sum(row => row.Sum()));
            Assert.Equal(result.Metrics.ValAccuracy, Enumerable.Range(0, confusion.Count).Sum(i => confusion[i][i]) / 100.0);
        }
        Assert.NotEqual(results[0].Confusion.SelectMany(r => r), results[1].Confusion.SelectMany(r => r));
    }

    [Fact]
    public void ReportsAccuraciesOfWholeImagesAndThroughputFromTheEpochTime()
    {
        var (_, epochs) = Train(Adam(epochs: 1));
        var epoch = Assert.Single(epochs);

        // 400 training and 100 validation images: accuracies are multiples of 1/400 and 1/100.
        Assert.Equal(0, Math.Round(epoch.Accuracy * 400, 6) % 1);
        Assert.Equal(0, Math.Round(epoch.ValAccuracy * 100, 6) % 1);
        Assert.True(epoch.Seconds > 0);
        Assert.Equal(500 / epoch.Seconds, epoch.ImagesPerSecond, 6);
    }

    [Theory]
    [InlineData(OptimizerKind.Adadelta)]
    [InlineData(OptimizerKind.Adagrad)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Adamax)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.RMSProp)]
    [InlineData(OptimizerKind.StochasticGradientDescent)]
    public void TrainsAnEpochToFiniteMetricsWithEveryOptimizer(OptimizerKind optimizer)
    {
        var (outcome, epochs) = Train(Adam(epochs: 1) with { Optimizer = optimizer });

        AssertOneFiniteEpoch(outcome, epochs);
    }

    [Theory]
    [InlineData(LossKind.AbsoluteDifference)]
    [InlineData(LossKind.CategoricalCrossEntropy)]
    [InlineData(LossKind.Hinge)]
    [InlineData(LossKind.Huber)]
    [InlineData(LossKind.Log)]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.SigmoidCrossEntropy)]
    public void TrainsAnEpochToFiniteMetricsWithEveryLoss(LossKind loss)
    {
        var (outcome, epochs) = Train(Adam(epochs: 1) with { Loss = loss, BatchSize = 64 });

        AssertOneFiniteEpoch(outcome, epochs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GivesBitIdenticalMetricsForTheSameSeedAndThreadCount(int threads)
    {
        TorchRuntime.Initialize(threads);
        try
        {
            var (_, first) = Train(Adam(seed: 7) with { BatchSize = 50 });
            var (_, second) = Train(Adam(seed: 7) with { BatchSize = 50 });
            var (_, other) = Train(Adam(seed: 8) with { BatchSize = 50 });

            Assert.Equal(first.Select(WithoutTimings), second.Select(WithoutTimings));
            Assert.NotEqual(first.Select(WithoutTimings), other.Select(WithoutTimings));
        }
        finally
        {
            FashionMnist.InitializeTorch();
        }
    }

    [Fact]
    public void SplitsByTheSeedWithTheFloorOfTheTrainingShareForTraining()
    {
        var (train, validation) = Trainer.Split(count: 1000, trainingPercentage: 0.7, seed: 3);
        var (sameTrain, _) = Trainer.Split(count: 1000, trainingPercentage: 0.7, seed: 3);
        var (otherTrain, _) = Trainer.Split(count: 1000, trainingPercentage: 0.7, seed: 4);

        Assert.Equal(700, train.Length);
        Assert.Equal(300, validation.Length);
        Assert.Equal(Enumerable.Range(0, 1000), train.Concat(validation).Order());
        Assert.Equal(train, sameTrain);
        Assert.NotEqual(train, otherTrain);
        Assert.Equal(7, Trainer.Split(count: 10, trainingPercentage: 0.75, seed: 0).Train.Length);
        Assert.Equal(29, Trainer.Split(count: 100, trainingPercentage: 0.29, seed: 0).Train.Length);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void RefusesATrainingPercentageOutsideZeroToOne(double percentage)
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.Split(count: 10, percentage, seed: 0));

        Assert.EndsWith("must lie strictly between 0 and 1.", error.Message);
    }

    [Fact]
    public void RefusesASplitThatLeavesNoImageToTrainOn()
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.Split(count: 10, trainingPercentage: 0.05, seed: 0));

        Assert.Equal(
            "Training percentage 0.05 of 10 images leaves 0 for training and 10 for validation; both need at least one.",
            error.Message);
    }

    [Fact]
    public void StopsAsDivergedWhenTheLossBecomesNaN()
    {
        // Nothing diverges for real within the allowed learning rates (≤ 1; see LOSSES.md), so the NaN is planted:
        // one weight of the checkpoint after epoch 1 becomes NaN, and the trial resumes from it. Everything after
        // that is real: the next forward pass gives NaN logits, and the loss of the first batch is NaN.
        var hp = new Hyperparameters(OptimizerKind.StochasticGradientDescent, LossKind.CategoricalCrossEntropy, 0.01, 32, 3, null, 0);
        var sweep = FashionMnist.Sweep(_data.Spec);
        using var stop = new CancellationTokenSource();
        EpochResult? first = null;
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(_data.Images, sweep, hp, "cpu", null, e => { first = e; stop.Cancel(); }, stop.Token));
        var checkpoint = Checkpoint.Decode(first!.Checkpoint);
        var weights = checkpoint.Model.Single(t => t.Name == "_classifier.weight");
        var poisoned = (byte[])weights.Data.Bytes.Clone();
        BitConverter.TryWriteBytes(poisoned.AsSpan(0, 4), float.NaN);
        var model = checkpoint.Model.Select(t => t == weights ? t with { Data = t.Data with { Bytes = poisoned } } : t).ToArray();

        var epochs = new List<EpochResult>();
        var outcome = Trainer.Train(
            _data.Images, sweep, hp, "cpu", new TrainingResume(1, (checkpoint with { Model = model }).Encode()), epochs.Add, CancellationToken.None);

        Assert.Equal(TrialState.Diverged, outcome.State);
        Assert.Equal(1, outcome.EpochsRun);
        Assert.Empty(epochs);
        Assert.Matches(@"^loss became (NaN|infinite) at epoch 2 \(batch 1 of 13\)$", outcome.Message);
    }

    [Fact]
    public void RefusesALearningRateOutsideTheGuidesRange()
    {
        // The same range every other part checks (HyperparameterLimits): a rate a sweep file could not hold is refused
        // here too, not trained.
        var error = Assert.Throws<ArgumentException>(() =>
            Train(new Hyperparameters(OptimizerKind.StochasticGradientDescent, LossKind.CategoricalCrossEntropy, 1e20, 32, 3, null, 0)));
        Assert.StartsWith("Learning rate 1E+20 must be > 0 and ≤ 1.", error.Message);
    }

    [Fact]
    public void StopsBeforeAnEpochThatWouldOverrunTheTimeBudget()
    {
        // A budget far below one epoch: the first epoch always runs (nothing to estimate from), the second does not.
        var (outcome, epochs) = Train(Adam(epochs: 5, budget: TimeSpan.FromTicks(1)));

        Assert.Equal(TrialState.Completed, outcome.State);
        Assert.Equal(1, outcome.EpochsRun);
        Assert.Single(epochs);
        Assert.StartsWith("time budget 00:00:00.0000001 allowed 1 of 5 epochs (mean epoch ", outcome.Message);
    }

    [Fact]
    public void RunsEveryEpochWhenTheTimeBudgetIsAmple()
    {
        var (outcome, epochs) = Train(Adam(epochs: 2, budget: TimeSpan.FromHours(1)));

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 2), outcome.WithoutConfusion());
        Assert.Equal(2, epochs.Count);
    }

    [Fact]
    public void ThrowsOperationCanceledBetweenBatchesWhenCancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<EpochMetrics>();

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(
            _data.Images, FashionMnist.Sweep(_data.Spec), Adam(epochs: 3), "cpu",
            epoch =>
            {
                epochs.Add(epoch);
                cancellation.Cancel();
            },
            cancellation.Token));
        Assert.Single(epochs);
    }

    [Fact]
    public void RefusesACudaDeviceThisBuildCannotSee()
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.Train(
            _data.Images, FashionMnist.Sweep(_data.Spec), Adam(), "cuda:0", _ => { }, default));

        Assert.Contains("Device 'cuda:0' is not available: TorchSharp sees 0 CUDA device(s)", error.Message);
        Assert.Contains("-p:TorchBackend=cuda", error.Message);
    }

    [Fact]
    public void RefusesAnUnknownDevice()
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.Train(
            _data.Images, FashionMnist.Sweep(_data.Spec), Adam(), "gpu", _ => { }, default));

        Assert.StartsWith("Unknown device 'gpu'", error.Message);
    }

    private static void AssertOneFiniteEpoch(TrainingOutcome outcome, List<EpochMetrics> epochs)
    {
        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 1), outcome.WithoutConfusion());
        var epoch = Assert.Single(epochs);
        Assert.All([epoch.Loss, epoch.Accuracy, epoch.ValLoss, epoch.ValAccuracy, epoch.ImagesPerSecond],
            value => Assert.True(double.IsFinite(value), $"{epoch}"));
        Assert.InRange(epoch.Accuracy, 0, 1);
        Assert.InRange(epoch.ValAccuracy, 0, 1);
    }

    private static EpochMetrics WithoutTimings(EpochMetrics m) => m with { Seconds = 0, ImagesPerSecond = 0 };
}
