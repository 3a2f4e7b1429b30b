using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// Trials that end before their last epoch: pruned by the caller, or stopped early by patience with the best epoch's
/// weights restored; and resumes that must end them exactly as an uninterrupted run does. 500 images, 400 training.
/// </summary>
public class StoppingTrialsBeforeTheirLastEpoch : IClassFixture<TrainerOnFashionMnist.Data>
{
    private readonly TrainerOnFashionMnist.Data _data;

    public StoppingTrialsBeforeTheirLastEpoch(TrainerOnFashionMnist.Data data)
    {
        FashionMnist.InitializeTorch();
        _data = data;
    }

    /// <summary>
    /// Adam at 0.02 overshoots on these 400 images: val_loss 1.42, 0.82, 0.90, 0.87, 0.72, 0.77 and val_accuracy
    /// 0.41, 0.70, 0.66, 0.63, 0.75, 0.70 over six epochs, so patience 1 or 2 stops it after epoch 3 or 4 with epoch 2
    /// best, and patience 3 runs it to the end with epoch 5 best.
    /// </summary>
    private static Hyperparameters Overshooting(int epochs = 6) =>
        new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.02, 32, epochs, null, 0);

    private SweepDefinition Sweep(EarlyStoppingSpec? early = null) =>
        FashionMnist.Sweep(_data.Spec) with { EarlyStopping = early };

    private (TrainingOutcome Outcome, List<EpochResult> Epochs) Train(
        SweepDefinition sweep, Hyperparameters hp, TrainingResume? resume = null, Func<EpochResult, string?>? decide = null)
    {
        var epochs = new List<EpochResult>();
        var outcome = Trainer.Train(_data.Images, sweep, hp, "cpu", resume, result =>
        {
            epochs.Add(result);
            return decide?.Invoke(result);
        }, CancellationToken.None);
        return (outcome, epochs);
    }

    /// <summary>Trains until <paramref name="epoch"/> is stored, then the callback throws, as a killed worker would stop.</summary>
    private EpochResult InterruptAfter(SweepDefinition sweep, Hyperparameters hp, int epoch)
    {
        var epochs = new List<EpochResult>();
        Assert.ThrowsAny<OperationCanceledException>(() => Train(sweep, hp, decide: result =>
        {
            epochs.Add(result);
            return result.Metrics.Epoch == epoch ? throw new OperationCanceledException() : null;
        }));
        return Assert.Single(epochs, e => e.Metrics.Epoch == epoch);
    }

    [Fact]
    public void ACallbackReturningAReasonPrunesTheTrialRightAfterThatEpoch()
    {
        var (outcome, epochs) = Train(Sweep(), Overshooting(epochs: 4),
            decide: result => result.Metrics.Epoch == 2 ? "below the median of trials at epoch 2" : null);

        Assert.Equal(TrialState.Pruned, outcome.State);
        Assert.Equal("below the median of trials at epoch 2", outcome.Message);
        Assert.Equal(2, outcome.EpochsRun);
        Assert.Equal([1, 2], epochs.Select(e => e.Metrics.Epoch));
        Assert.Null(outcome.ResultEpoch);
        Assert.Equal(epochs[^1].Confusion, outcome.Confusion);
    }

    [Fact]
    public void TheCallbackWithoutAReasonLetsEveryEpochRun()
    {
        var (outcome, epochs) = Train(Sweep(), Overshooting(epochs: 2), decide: _ => null);

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 2), outcome.WithoutConfusion());
        Assert.Equal(2, epochs.Count);
        Assert.Equal(epochs[^1].Confusion, outcome.Confusion);
    }

    [Theory]
    [InlineData(MetricNames.ValLoss, 1)]
    [InlineData(MetricNames.ValLoss, 2)]
    [InlineData(MetricNames.ValAccuracy, 2)]
    public void EarlyStoppingStopsOncePatienceRunsOutAndRestoresTheBestEpochsWeights(string metric, int patience)
    {
        var hp = Overshooting();
        var (outcome, epochs) = Train(Sweep(new EarlyStoppingSpec(metric, patience)), hp);

        Assert.Equal(TrialState.Completed, outcome.State);
        Assert.True(outcome.EpochsRun < hp.Epochs, $"ran all {hp.Epochs} epochs: {outcome.Message}");
        Assert.Equal(outcome.EpochsRun, epochs.Count);
        var values = epochs.Select(e => MetricNames.ValueOf(e.Metrics, metric) * (MetricNames.HigherIsBetter(metric) ? -1 : 1)).ToList();
        var best = values.IndexOf(values.Min()) + 1;
        Assert.Equal(best, outcome.ResultEpoch);
        Assert.Equal(patience, outcome.EpochsRun - best);
        Assert.StartsWith($"stopped early after epoch {outcome.EpochsRun}: {patience} epochs since epoch {best} improved {metric} by more than 0 (patience {patience}); kept epoch {best}'s weights ({metric} ", outcome.Message);
        // Measured again on the restored weights: exactly the best epoch's validation, not the last epoch's.
        var confusion = outcome.Confusion;
        Assert.Equal(100, confusion.Sum(row => row.Sum()));
        Assert.Equal(epochs[best - 1].Metrics.ValAccuracy, Enumerable.Range(0, confusion.Count).Sum(i => confusion[i][i]) / 100.0);
        Assert.Equal(epochs[best - 1].Confusion, confusion);
        Assert.NotEqual(epochs[^1].Confusion, confusion);
    }

    [Fact]
    public void ATrialThatRunsAllItsEpochsUnderEarlyStoppingStillEndsWithItsBestEpochsWeights()
    {
        var (outcome, epochs) = Train(Sweep(new EarlyStoppingSpec(MetricNames.ValLoss, 3)), Overshooting());

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 6) { ResultEpoch = 5 }, outcome.WithoutConfusion());
        Assert.Equal(6, epochs.Count);
        Assert.Equal(epochs.MinBy(e => e.Metrics.ValLoss)!.Metrics.Epoch, outcome.ResultEpoch);
        Assert.Equal(epochs[4].Confusion, outcome.Confusion);
        Assert.NotEqual(epochs[5].Confusion, outcome.Confusion);
    }

    [Fact]
    public void APrunedTrialUnderEarlyStoppingEndsWithItsBestEpochsWeights()
    {
        var (outcome, epochs) = Train(Sweep(new EarlyStoppingSpec(MetricNames.ValLoss, 3)), Overshooting(),
            decide: result => result.Metrics.Epoch == 3 ? "pruned at rung 3" : null);

        Assert.Equal(new TrainingOutcome(TrialState.Pruned, "pruned at rung 3", 3) { ResultEpoch = 2 }, outcome.WithoutConfusion());
        Assert.Equal(epochs[1].Confusion, outcome.Confusion);
    }

    /// <summary>Patience 2 stops after epoch 4 with epoch 2 best: after epochs 3 and 4 the best weights are not the checkpoint's own.</summary>
    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(3, 3)]
    [InlineData(5, 3)]
    public void AnInterruptedTrialResumedAfterAnyEpochStopsAndEndsExactlyAsAnUninterruptedOne(int interruptedAfter, int patience)
    {
        var sweep = Sweep(new EarlyStoppingSpec(MetricNames.ValLoss, patience));
        var hp = Overshooting();
        var (uninterrupted, all) = Train(sweep, hp);
        var stored = InterruptAfter(sweep, hp, interruptedAfter);

        var (outcome, resumed) = Train(sweep, hp, new TrainingResume(interruptedAfter, stored.Checkpoint));

        Assert.Equal(uninterrupted, outcome); // state, message, epochs run, result epoch and confusion
        Assert.Equal(all.Skip(interruptedAfter).Select(e => WithoutTimings(e.Metrics)), resumed.Select(e => WithoutTimings(e.Metrics)));
        Assert.NotNull(outcome.ResultEpoch);
        Assert.NotEmpty(outcome.Confusion);
    }

    [Fact]
    public void WithoutEarlyStoppingCheckpointsAreExactlyAsLargeAsBeforeEarlyStoppingExisted()
    {
        // Adam at 0.005, 32 images a batch: the trial of the version-1 checkpoint in Fixtures, whose epochs' checkpoints
        // were all 78,435 bytes.
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.005, 32, 3, null, 0);

        var (_, epochs) = Train(Sweep(), hp);

        Assert.All(epochs, e => Assert.Equal(78_435, e.Checkpoint.Length));
        Assert.All(epochs, e => Assert.Equal(Checkpoint.FormatVersion, BitConverter.ToInt32(e.Checkpoint, 4)));
        Assert.All(epochs, e => Assert.Null(Checkpoint.Decode(e.Checkpoint).EarlyStopping));
    }

    [Fact]
    public void WithEarlyStoppingCheckpointsCarryTheValuesAndTheBestWeightsOnlyWhenTheyAreNotTheirOwn()
    {
        var (_, epochs) = Train(Sweep(new EarlyStoppingSpec(MetricNames.ValLoss, 2)), Overshooting());

        var states = epochs.Select(e => Checkpoint.Decode(e.Checkpoint)).ToList();
        Assert.Equal([1, 2, 2, 2], states.Select(c => c.EarlyStopping!.BestEpoch));
        Assert.Equal(epochs.Select(e => e.Metrics.ValLoss), states[^1].EarlyStopping!.Values);
        Assert.Equal([false, false, true, true], states.Select(c => c.EarlyStopping!.BestModel is not null));
        // The best model of epochs 3 and 4 is epoch 2's, to the bit.
        Assert.Equal(Weights(states[1].Model), Weights(states[2].EarlyStopping!.BestModel!));
        Assert.Equal(Weights(states[1].Model), Weights(states[3].EarlyStopping!.BestModel!));
        // Sizes: the checkpoint without early stopping, plus the fingerprint's line "early_stopping=val_loss patience 2
        // min_delta 0" (47 bytes with its newline), the values (4 + 8 per epoch), the best epoch (4) and a count of no
        // best tensors (4); and when the best epoch is another one, its 5,994 float32 weights with names and shapes.
        var plain = InterruptAfter(Sweep(), Overshooting(), 2).Checkpoint.Length;
        Assert.Equal(plain + 47 + 4 + 2 * 8 + 4 + 4, epochs[1].Checkpoint.Length);
        Assert.InRange(epochs[2].Checkpoint.Length - epochs[1].Checkpoint.Length - 8, 23_976, 23_976 + 512);
    }

    [Fact]
    public void ACheckpointOfFormatVersionOneStillResumes()
    {
        // Written by the trainer before format 2 existed (commit bc58f8c): epoch 1 of 3 of this trial.
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.005, 32, 3, null, 0);
        var old = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoint-v1-adam-epoch1.bin"));
        Assert.Equal(1, BitConverter.ToInt32(old, 4));
        var (uninterrupted, all) = Train(Sweep(), hp);

        var (outcome, resumed) = Train(Sweep(), hp, new TrainingResume(1, old));

        Assert.Equal(uninterrupted, outcome);
        Assert.Equal(all.Skip(1).Select(e => WithoutTimings(e.Metrics)), resumed.Select(e => WithoutTimings(e.Metrics)));
    }

    [Fact]
    public void RefusesToResumeACheckpointWrittenWithoutTheSweepsEarlyStopping()
    {
        var hp = Overshooting(epochs: 3);
        var stored = InterruptAfter(Sweep(), hp, 1);

        var error = Assert.Throws<ArgumentException>(() =>
            Train(Sweep(new EarlyStoppingSpec(MetricNames.ValLoss, 2)), hp, new TrainingResume(1, stored.Checkpoint)));

        Assert.Contains("early_stopping is val_loss patience 2 min_delta 0 here but (absent) in the checkpoint", error.Message);
    }

    [Theory]
    [InlineData("f1", 2, 0.0, "Early-stopping metric 'f1' is not one of val_accuracy, val_loss, accuracy, loss.")]
    [InlineData("val_loss", 0, 0.0, "Early-stopping patience 0 must be at least 1.")]
    [InlineData("val_loss", 2, -0.1, "Early-stopping min_delta -0.1 must be a finite number ≥ 0.")]
    public void RefusesAnEarlyStoppingSpecPatienceCannotJudge(string metric, int patience, double minDelta, string message)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Train(Sweep(new EarlyStoppingSpec(metric, patience, minDelta)), Overshooting(epochs: 1)));

        Assert.StartsWith(message, error.Message);
    }

    private static EpochMetrics WithoutTimings(EpochMetrics m) => m with { Seconds = 0, ImagesPerSecond = 0 };

    private static string[] Weights(IReadOnlyList<NamedTensor> model) =>
        model.Select(t => $"{t.Name} {Convert.ToBase64String(t.Data.Bytes)}").ToArray();
}
