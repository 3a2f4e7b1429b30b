using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// Resumable training on 500 Fashion-MNIST images (400 train, 100 validate): a trial stopped after an epoch and
/// resumed from that epoch's checkpoint in a fresh call must go on exactly as if it had never stopped.
/// </summary>
public class ResumingFromCheckpoints : IClassFixture<TrainerOnFashionMnist.Data>
{
    private readonly TrainerOnFashionMnist.Data _data;

    public ResumingFromCheckpoints(TrainerOnFashionMnist.Data data)
    {
        FashionMnist.InitializeTorch();
        _data = data;
    }

    private static Hyperparameters Trial(OptimizerKind optimizer = OptimizerKind.Adam, int epochs = 3, int batch = 32,
        TimeSpan? budget = null, int seed = 0) =>
        new(optimizer, LossKind.CategoricalCrossEntropy, LearningRate(optimizer), batch, epochs, budget, seed);

    // Rates at which each optimizer learns something in three epochs here, so that the state being restored matters.
    private static double LearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adadelta => 1.0,
        OptimizerKind.Adagrad => 0.05,
        OptimizerKind.Momentum => 0.01,
        OptimizerKind.StochasticGradientDescent => 0.1,
        _ => 0.005,
    };

    private (TrainingOutcome Outcome, List<EpochResult> Epochs) Train(
        Hyperparameters hp, TrainingResume? resume = null, CancellationToken ct = default)
    {
        var epochs = new List<EpochResult>();
        var outcome = Trainer.Train(_data.Images, FashionMnist.Sweep(_data.Spec), hp, "cpu", resume, epochs.Add, ct);
        return (outcome, epochs);
    }

    /// <summary>Trains until <paramref name="epoch"/> is reported, then cancels: the checkpoint a killed worker leaves.</summary>
    private EpochResult StopAfter(Hyperparameters hp, int epoch)
    {
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<EpochResult>();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(
            _data.Images, FashionMnist.Sweep(_data.Spec), hp, "cpu", null,
            result =>
            {
                epochs.Add(result);
                if (result.Metrics.Epoch == epoch)
                    cancellation.Cancel();
            },
            cancellation.Token));
        return Assert.Single(epochs, e => e.Metrics.Epoch == epoch);
    }

    [Theory]
    [InlineData(OptimizerKind.Adadelta)]
    [InlineData(OptimizerKind.Adagrad)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Adamax)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.RMSProp)]
    [InlineData(OptimizerKind.StochasticGradientDescent)]
    public void ResumingAfterTheFirstEpochGivesBitIdenticalLaterEpochsWithEveryOptimizer(OptimizerKind optimizer)
    {
        var hp = Trial(optimizer);
        var (_, uninterrupted) = Train(hp);
        var stopped = StopAfter(hp, epoch: 1);

        var (outcome, resumed) = Train(hp, new TrainingResume(1, stopped.Checkpoint));

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 3), outcome.WithoutConfusion());
        Assert.Equal([2, 3], resumed.Select(e => e.Metrics.Epoch));
        Assert.Equal(uninterrupted[^1].Confusion, outcome.Confusion);
        Assert.Equal(uninterrupted.Skip(1).Select(e => WithoutTimings(e.Metrics)), resumed.Select(e => WithoutTimings(e.Metrics)));
        // Not just the same metrics: the same weights and optimizer state, to the bit.
        var (expected, actual) = (Checkpoint.Decode(uninterrupted[^1].Checkpoint), Checkpoint.Decode(resumed[^1].Checkpoint));
        Assert.Equal(Flatten(expected), Flatten(actual));
    }

    /// <summary>
    /// What TorchSharp 0.107 keeps per parameter, as found (not assumed): "name" a tensor with data, "name:zeros" one
    /// that stays zero in our settings (RMSProp allocates its momentum and centring buffers even when unused),
    /// "name:absent" a buffer created on demand, "step=n" a counter (Adadelta keeps one but never advances it).
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.Adadelta, "acc_delta square_avg step=0")]
    [InlineData(OptimizerKind.Adagrad, "step=13 sum")]
    [InlineData(OptimizerKind.Adam, "exp_avg exp_avg_sq max_exp_avg_sq:absent step=13")]
    [InlineData(OptimizerKind.Adamax, "exp_avg exp_inf step=13")]
    [InlineData(OptimizerKind.Momentum, "momentum_buffer")]
    [InlineData(OptimizerKind.RMSProp, "grad_avg:zeros momentum_buffer:zeros square_avg step=13")]
    [InlineData(OptimizerKind.StochasticGradientDescent, "momentum_buffer:absent")]
    public void CheckpointsHoldWhateverStateTorchSharpKeepsForEachParameter(OptimizerKind optimizer, string fields)
    {
        // 400 training images in batches of 32: 13 steps.
        var (_, epochs) = Train(Trial(optimizer, epochs: 1));

        var state = Checkpoint.Decode(epochs[0].Checkpoint).Optimizer;

        // SimpleCNN's six parameters: two convolutions and the classifier, weight and bias each.
        Assert.Equal(6, state.Parameters.Count);
        Assert.All(state.Parameters, parameter => Assert.Equal(fields, string.Join(' ', parameter.Select(Describe))));
    }

    private static string Describe(StateField field) => field.Kind switch
    {
        StateFieldKind.Int64 => $"{field.Name}={field.Number}",
        StateFieldKind.NoTensor => $"{field.Name}:absent",
        _ => field.Tensor!.Bytes.All(b => b == 0) ? $"{field.Name}:zeros" : field.Name,
    };

    [Fact]
    public void ResumesAfterACancellationInTheMiddleOfAnEpoch()
    {
        // Batches of one image: epoch 2 is 400 steps (over 100 ms), far longer than the 10 ms before the cancellation
        // lands. A thread of its own cancels, as a signal handler would: a timer's callback waits for a thread-pool
        // thread, and on two busy cores that was seen to take longer than the epoch.
        var hp = Trial(OptimizerKind.Adam, batch: 1);
        var (_, uninterrupted) = Train(hp);
        using var cancellation = new CancellationTokenSource();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(10);
            cancellation.Cancel();
        });
        var reported = new List<EpochResult>();

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(
            _data.Images, FashionMnist.Sweep(_data.Spec), hp, "cpu", null,
            result =>
            {
                reported.Add(result);
                canceller.Start();
            },
            cancellation.Token));
        canceller.Join();
        var last = Assert.Single(reported); // cancelled inside epoch 2, not after it
        var (outcome, resumed) = Train(hp, new TrainingResume(1, last.Checkpoint));

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 3), outcome.WithoutConfusion());
        Assert.Equal(uninterrupted.Skip(1).Select(e => WithoutTimings(e.Metrics)), resumed.Select(e => WithoutTimings(e.Metrics)));
    }

    [Fact]
    public void RestoresTorchsGeneratorFromTheCheckpoint()
    {
        // SimpleCNN draws from torch's generator only to initialise (no dropout), so a run carries the generator's
        // state from its start to every checkpoint unchanged: one planted in a checkpoint must come out in the next.
        var hp = Trial(epochs: 2);
        var stopped = Checkpoint.Decode(StopAfter(hp, epoch: 1).Checkpoint);
        TorchSharp.torch.manual_seed(12345);
        var planted = TorchState.CaptureRng();
        Assert.NotEqual(stopped.TorchRngState, planted);

        var (_, resumed) = Train(hp, new TrainingResume(1, (stopped with { TorchRngState = planted }).Encode()));

        Assert.Equal(planted, Checkpoint.Decode(Assert.Single(resumed).Checkpoint).TorchRngState);
    }

    [Fact]
    public void ADivergenceAfterAResumeNamesTheTrialsEpochAndCountsTheEpochsBeforeIt()
    {
        // Nothing diverges after a good first epoch at sane learning rates (see LOSSES.md), so a NaN is planted in one
        // weight of epoch 1's checkpoint: this tests the accounting after a resume, not what diverges.
        var hp = Trial(epochs: 3);
        var stopped = Checkpoint.Decode(StopAfter(hp, epoch: 1).Checkpoint);
        var weights = stopped.Model.Single(t => t.Name == "_classifier.weight");
        var poisoned = (byte[])weights.Data.Bytes.Clone();
        BitConverter.TryWriteBytes(poisoned.AsSpan(0, 4), float.NaN);
        var model = stopped.Model.Select(t => t == weights ? t with { Data = t.Data with { Bytes = poisoned } } : t).ToArray();

        var (outcome, resumed) = Train(hp, new TrainingResume(1, (stopped with { Model = model }).Encode()));

        Assert.Equal(new TrainingOutcome(TrialState.Diverged, "loss became NaN at epoch 2 (batch 1 of 13)", 1), outcome.WithoutConfusion());
        Assert.Empty(resumed);
    }

    [Fact]
    public void AResumedTrialHasNothingLeftToDoAfterItsLastEpoch()
    {
        var hp = Trial(epochs: 2);
        var (_, epochs) = Train(hp);

        var (outcome, resumed) = Train(hp, new TrainingResume(2, epochs[^1].Checkpoint));

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 2), outcome.WithoutConfusion());
        Assert.Empty(resumed);
        // Nothing reported, yet the final model's confusion: the checkpoint's model, measured again.
        Assert.Equal(epochs[^1].Confusion, outcome.Confusion);
    }

    [Fact]
    public void AResumedTimeBudgetCountsTheSecondsAndEpochsBeforeTheResume()
    {
        var hp = Trial(epochs: 3, budget: TimeSpan.FromHours(1));
        var stopped = Checkpoint.Decode(StopAfter(hp, epoch: 1).Checkpoint);
        // As if the first run had taken 1900 s, 1800 of them in epoch 1: 1900 + 1800 > 3600, so epoch 2 cannot fit.
        var slow = stopped with { TrainingSeconds = 1900, EpochSeconds = 1800 };

        var (outcome, resumed) = Train(hp, new TrainingResume(1, slow.Encode()));
        var (control, _) = Train(hp, new TrainingResume(1, stopped.Encode()));

        Assert.Equal(
            new TrainingOutcome(TrialState.Completed, "time budget 01:00:00 allowed 1 of 3 epochs (mean epoch 1800.0 s)", 1),
            outcome.WithoutConfusion());
        Assert.Empty(resumed);
        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 3), control.WithoutConfusion());
    }

    [Fact]
    public void CheckpointsCarryTheTrialsSecondsAcrossResumes()
    {
        var hp = Trial(epochs: 2);
        var stopped = Checkpoint.Decode(StopAfter(hp, epoch: 1).Checkpoint) with { TrainingSeconds = 1000, EpochSeconds = 900 };

        var (_, resumed) = Train(hp, new TrainingResume(1, stopped.Encode()));

        var epoch2 = Assert.Single(resumed);
        var after = Checkpoint.Decode(epoch2.Checkpoint);
        Assert.Equal(900 + epoch2.Metrics.Seconds, after.EpochSeconds, 9);
        Assert.InRange(after.TrainingSeconds, 1000 + epoch2.Metrics.Seconds, 1000 + epoch2.Metrics.Seconds + 60);
    }

    [Fact]
    public void RefusesTheCheckpointOfAnotherTrialSayingWhichSettingsDiffer()
    {
        var checkpoint = StopAfter(Trial(seed: 0), epoch: 1).Checkpoint;

        var error = Assert.Throws<ArgumentException>(() =>
            Train(Trial(seed: 1) with { LearningRate = 0.001 }, new TrainingResume(1, checkpoint)));

        Assert.StartsWith(
            "The checkpoint belongs to another trial: learning_rate is 0.001 here but 0.005 in the checkpoint; seed is 1 here but 0 in the checkpoint.",
            error.Message);
        Assert.Equal("resume", error.ParamName);
    }

    [Fact]
    public void RefusesTheCheckpointOfAnotherSubsetOfTheData()
    {
        var checkpoint = StopAfter(Trial(), epoch: 1).Checkpoint;
        using var other = ImageDataset.Load(FashionMnist.Spec(300, trainingPercentage: 0.8));
        var sweep = FashionMnist.Sweep(FashionMnist.Spec(300, trainingPercentage: 0.8));

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(other, sweep, Trial(), "cpu", new TrainingResume(1, checkpoint), _ => { }, default));

        Assert.Contains("dataset.subset is 300 here but 500 in the checkpoint; data.images is 300 here but 500 in the checkpoint", error.Message);
    }

    [Fact]
    public void RefusesAResumeFromAnotherEpochThanTheCheckpoints()
    {
        var checkpoint = StopAfter(Trial(), epoch: 1).Checkpoint;

        var error = Assert.Throws<ArgumentException>(() => Train(Trial(), new TrainingResume(2, checkpoint)));

        Assert.StartsWith("Asked to resume after epoch 2, but the checkpoint is of epoch 1.", error.Message);
    }

    [Fact]
    public void RefusesACorruptCheckpointNamingTheChecksum()
    {
        var checkpoint = StopAfter(Trial(), epoch: 1).Checkpoint;
        checkpoint[checkpoint.Length / 2] ^= 0x01; // one bit in a weight

        var error = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, checkpoint)));

        Assert.Matches(@"^Checkpoint corrupt: the SHA-256 of its [\d,]+-byte payload does not match the one in its header\.$", error.Message);
    }

    [Fact]
    public void RefusesATruncatedCheckpointSayingHowMuchIsMissing()
    {
        var checkpoint = StopAfter(Trial(), epoch: 1).Checkpoint;
        var payload = checkpoint.Length - Checkpoint.HeaderLength;

        var cut = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, checkpoint[..^1000])));
        var headerOnly = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, checkpoint[..20])));

        Assert.Equal(
            $"Checkpoint truncated: the header promises {payload:N0} bytes of payload, only {payload - 1000:N0} follow.",
            cut.Message);
        Assert.Equal("Checkpoint truncated: 20 bytes, shorter than its 48-byte header.", headerOnly.Message);
    }

    [Fact]
    public void RefusesBytesThatAreNotACheckpointOrOfAnotherFormatVersion()
    {
        var checkpoint = StopAfter(Trial(), epoch: 1).Checkpoint;
        var newer = (byte[])checkpoint.Clone();
        newer[4] = 3;

        var notOurs = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, "{\"epoch\": 1}"u8.ToArray())));
        var empty = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, [])));
        var version = Assert.Throws<InvalidDataException>(() => Train(Trial(), new TrainingResume(1, newer)));

        Assert.Equal("Not a training checkpoint: it does not start with \"PXCK\" (12 bytes).", notOurs.Message);
        Assert.Equal("Not a training checkpoint: it does not start with \"PXCK\" (0 bytes).", empty.Message);
        Assert.Equal("Checkpoint format version 3; this build reads versions 1 to 2.", version.Message);
    }

    [Fact]
    public void ACheckpointOfSimpleCnnWithAdamIsTensOfKilobytes()
    {
        var (_, epochs) = Train(Trial(OptimizerKind.Adam, epochs: 1));

        // 5,994 float32 weights, and Adam's two moments of each: 3 × 23,976 bytes, plus torch's 5,056-byte generator
        // state and names, shapes and the fingerprint.
        Assert.InRange(epochs[0].Checkpoint.Length, 3 * 23_976 + 5_056, 3 * 23_976 + 5_056 + 4_096);
    }

    private static EpochMetrics WithoutTimings(EpochMetrics m) => m with { Seconds = 0, ImagesPerSecond = 0 };

    /// <summary>A checkpoint's state without its timings, as comparable values.</summary>
    private static string[] Flatten(Checkpoint c) =>
    [
        c.Epoch.ToString(), c.BatchOrderState.ToString(), Convert.ToBase64String(c.TorchRngState),
        .. c.Model.Select(t => $"{t.Name} {t.Data.Describe()} {Convert.ToBase64String(t.Data.Bytes)}"),
        c.Optimizer.Kind,
        .. c.Optimizer.Parameters.SelectMany(p => p.Select(f =>
            $"{f.Name} {f.Kind} {f.Number} {(f.Tensor is { } t ? Convert.ToBase64String(t.Bytes) : "")}")),
    ];
}
