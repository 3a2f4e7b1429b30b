using Piximi.Sweep.Core;
using TorchSharp;
using TorchSharp.Modules;

namespace Piximi.Sweep.Training.Tests;

public class MobileNetAsPiximiBuildsIt
{
    public MobileNetAsPiximiBuildsIt() => FashionMnist.InitializeTorch();

    [Theory]
    [InlineData(3, 224, 224, 7)]
    [InlineData(3, 32, 32, 1)]
    [InlineData(3, 31, 45, 1)]
    [InlineData(1, 64, 64, 1)]
    [InlineData(2, 63, 100, 1)]
    [InlineData(4, 224, 224, 3)]
    public void OutputsOneLogitPerClassForAnyUsableShape(int channels, int height, int width, int lastSide)
    {
        using var model = new MobileNet(channels, height, width, classes: 5);
        model.eval();
        using var input = torch.rand(2, channels, height, width);
        using var logits = model.forward(input);

        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.Equal(256, model.Features);
        Assert.Equal(lastSide, MobileNet.OutputSide(Math.Min(height, width), channels));
    }

    [Fact]
    public void EndsBlockThirteenAtSevenBySevenBy256On224x224x3AsKeras()
    {
        using var model = new MobileNet(3, 224, 224, classes: 2);
        model.eval();
        using var input = torch.rand(1, 3, 224, 224);
        using var features = model.Backbone(input);

        // conv_pw_13_relu of Keras' MobileNet(alpha=0.25): (None, 7, 7, 256); ReLU6 bounds it.
        Assert.Equal(new long[] { 1, 256, 7, 7 }, features.shape);
        Assert.True(features.max().item<float>() <= 6f);
        Assert.True(features.min().item<float>() >= 0f);
    }

    [Fact]
    public void HasKerasParameterCountForAlphaQuarterWithoutTopPlusPiximisHead()
    {
        using var model = new MobileNet(3, 224, 224, classes: 10);

        // Keras MobileNet(alpha=0.25, include_top=False) on 224×224×3 has 218,544 weights (BatchNorm: γ, β, moving mean
        // and variance, 4 per channel):
        //   conv1 3·3·3·8 = 216, bn 32                                          →    248
        //   block  1  8→16:  dw 9·8 + 4·8 = 104,      pw 8·16 + 4·16 = 192     →    296
        //   block  2 16→32:  dw 144 + 64 = 208,       pw 512 + 128 = 640       →    848
        //   block  3 32→32:  dw 288 + 128 = 416,      pw 1024 + 128 = 1152     →  1,568
        //   block  4 32→64:  dw 416,                  pw 2048 + 256 = 2304     →  2,720
        //   block  5 64→64:  dw 576 + 256 = 832,      pw 4096 + 256 = 4352     →  5,184
        //   block  6 64→128: dw 832,                  pw 8192 + 512 = 8704     →  9,536
        //   blocks 7–11 128→128: dw 1152 + 512 = 1664, pw 16384 + 512 = 16896  → 5 × 18,560 = 92,800
        //   block 12 128→256: dw 1664,                pw 32768 + 1024 = 33792  →  35,456
        //   block 13 256→256: dw 2304 + 1024 = 3328,  pw 65536 + 1024 = 66560  →  69,888
        //   total 218,544 (with Keras' 1000-class top, 256·1000 + 1000 more: 475,544, Keras' documented 0.47M).
        // Piximi's head: conv_preds 1×1, 256·10 + 10 = 2,570.
        // Of these, BatchNorm's moving mean and variance (2 per channel) are buffers in PyTorch, not parameters.
        var parameters = model.parameters().Sum(p => p.numel());
        var runningStatistics = model.named_buffers()
            .Where(b => b.name.EndsWith(".running_mean", StringComparison.Ordinal) || b.name.EndsWith(".running_var", StringComparison.Ordinal))
            .Sum(b => b.buffer.numel());
        Assert.Equal(218_544 + 2_570, parameters + runningStatistics);
        // BatchNorm channels: 8 (conv1) + Σ(dw + pw) = 8 + 1,496 +... = half of the running statistics.
        Assert.Equal(218_544 + 2_570 - runningStatistics, parameters);
        Assert.Equal(2 * (8 + 8 + 16 + 16 + 32 + 32 + 32 + 32 + 64 + 64 + 64 + 64 + 128 + 5 * (128 + 128) + 128 + 256 + 256 + 256), runningStatistics);
    }

    [Fact]
    public void NamesItsTensorsAsKerasNamesItsLayers()
    {
        using var model = new MobileNet(1, 64, 64, classes: 3);
        var names = model.state_dict().Keys.ToArray();

        // TorchSharp lists parameters before buffers.
        Assert.Equal(["input_adapter.weight", "input_adapter.bias", "conv1.weight", "conv1_bn.weight", "conv1_bn.bias",
            "conv_dw_1.weight", "conv_dw_1_bn.weight", "conv_dw_1_bn.bias", "conv_pw_1.weight"], names.Take(9));
        Assert.Contains("conv1_bn.running_mean", names);
        Assert.Contains("conv_pw_13_bn.running_var", names);
        Assert.Contains("conv_preds.weight", names);
        Assert.Contains("conv_preds.bias", names);
        // input_adapter, conv1, conv1_bn, 13 × (conv_dw_k, conv_dw_k_bn, conv_pw_k, conv_pw_k_bn), conv_preds.
        Assert.Equal(1 + 2 + 13 * 4 + 1, model.named_parameters().Select(p => p.name.Split('.')[0]).Distinct().Count());
        // No adapter for three channels: the backbone starts at conv1, as Keras' does.
        using var rgb = new MobileNet(3, 64, 64, classes: 3);
        Assert.Equal("conv1.weight", rgb.state_dict().Keys.First());
    }

    [Fact]
    public void UsesKerasBatchNormSettingsAndGlorotUniformKernels()
    {
        torch.manual_seed(0);
        using var model = new MobileNet(3, 64, 64, classes: 3);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);

        var bn = (BatchNorm2d)modules["conv_dw_5_bn"];
        Assert.Equal(1e-3, bn.eps);
        Assert.Equal(0.01, bn.momentum!.Value, 12);
        // Depthwise 3×3 over 64 channels: Keras' fans 9·64 and 9; PyTorch's 9 and 64·9; the same sum either way.
        var depthwise = ((Conv2d)modules["conv_dw_5"]).weight!;
        var limit = Math.Sqrt(6.0 / (9 * 64 + 9));
        Assert.Equal(new long[] { 64, 1, 3, 3 }, depthwise.shape);
        Assert.True(depthwise.abs().max().item<float>() <= limit);
        Assert.True(depthwise.abs().max().item<float>() > 0.8 * limit);
        Assert.Null(((Conv2d)modules["conv_pw_5"]).bias);
        Assert.Equal(0f, ((Conv2d)modules["conv_preds"]).bias!.abs().max().item<float>());
    }

    /// <summary>
    /// Why a MobileNet trained from scratch for a few hundred steps puts every image in one class in eval mode, as
    /// Keras' would: BatchNorm's running variance starts at 1 and each training step keeps 0.99 of it, so after t
    /// steps 0.99^t of that 1 is still in it. The depthwise layers' real variances are about 0.002 to 0.07 (0.002 at
    /// conv_dw_13 of a 32×32 input, whose 1×1 map meets only the kernel's centre), so until 0.99^t is well below them
    /// the running variances are several times too large and eval mode shrinks the signal layer after layer.
    /// Measured on 900 colour Fashion-MNIST images at 32×32×3: 339 steps (batch 8, 3 epochs) left 0.033, and every
    /// validation image got the same class; 565 steps (0.0034) were the first to tell classes apart. Here one layer,
    /// fed the same batch of variance 0.002 at every step, shows the arithmetic (TorchSharp's semantics are PyTorch's:
    /// momentum is the new batch's weight, the running variance takes the unbiased batch variance).
    /// </summary>
    [Fact]
    public void KeepsPoint99ToTheStepsOfTheInitialVarianceOfOneAsKerasDoes()
    {
        using var model = new MobileNet(3, 32, 32, classes: 3);
        var bn = (BatchNorm2d)model.named_modules().Single(m => m.name == "conv_dw_13_bn").module;
        bn.train();
        // 8 images of a 1×1 map, as conv_dw_13 sees a batch of 8 at 32×32: values ±0.0418 give the unbiased variance
        // 8/7 · 0.0418² = 0.002 in every channel, and mean 0.
        var values = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? 0.0418f : -0.0418f).ToArray();
        using var batch = torch.tensor(values).reshape(8, 1, 1, 1).expand(8, 256, 1, 1).contiguous();
        var variance = 8.0 / 7 * 0.0418 * 0.0418;

        double RunningVariance(int steps)
        {
            using var scope = torch.NewDisposeScope();
            bn.reset_running_stats();
            for (var t = 0; t < steps; t++)
                bn.forward(batch);
            Assert.Equal(steps, bn.num_batches_tracked!.item<long>());
            return bn.running_var!.mean().item<float>();
        }

        foreach (var steps in new[] { 339, 904 })
        {
            var kept = Math.Pow(0.99, steps);
            Assert.Equal(kept + (1 - kept) * variance, RunningVariance(steps), 5e-5 * kept + 1e-6);
        }
        // 339 steps: 17 times the real variance; 904 steps (8 epochs of 113 batches): within 6 %.
        Assert.InRange(RunningVariance(339) / variance, 17, 18);
        Assert.InRange(RunningVariance(904) / variance, 1.0, 1.06);
    }

    [Fact]
    public void PadsStrideTwoBlocksAfterOnlyAsKerasZeroPaddingAndStrideOneOnEverySide()
    {
        using var ones = torch.ones(1, 1, 16, 16);
        using var strideTwo = MobileNet.DepthwisePadding(ones, stride: 2);
        using var strideOne = MobileNet.DepthwisePadding(ones, stride: 1);

        // ((0, 1), (0, 1)): the first row and column are image, the added ones last.
        Assert.Equal(new long[] { 1, 1, 17, 17 }, strideTwo.shape);
        Assert.Equal(16f, strideTwo[0, 0, 0].sum().item<float>());
        Assert.Equal(0f, strideTwo[0, 0, 16].sum().item<float>());
        Assert.Equal(0f, strideTwo[0, 0, .., 16].sum().item<float>());
        Assert.Equal(new long[] { 1, 1, 18, 18 }, strideOne.shape);
        Assert.Equal(0f, strideOne[0, 0, 0].sum().item<float>());
    }

    [Theory]
    // TF "same" for 3×3 stride 2: total (⌈n/2⌉ − 1)·2 + 3 − n, the smaller half before.
    [InlineData(224, 0, 1)]
    [InlineData(32, 0, 1)]
    [InlineData(31, 1, 1)]
    [InlineData(225, 1, 1)]
    public void PadsConv1AsTensorFlowsSamePadding(int side, int before, int after)
    {
        using var ones = torch.ones(1, 1, side, side + 1);
        using var padded = MobileNet.SamePadding(ones, stride: 2);

        Assert.Equal(side + before + after, padded.shape[2]);
        Assert.Equal(before == 0 ? side + 1 : 0, padded[0, 0, 0].sum().item<float>());
        Assert.Equal(0f, padded[0, 0, -1].sum().item<float>());
    }

    [Theory]
    [InlineData(3, 30, 224, 31)]
    [InlineData(3, 224, 30, 31)]
    [InlineData(1, 62, 62, 63)]
    [InlineData(1, 28, 28, 63)]
    public void RefusesImagesTooSmallToLeaveAPixelNamingTheMinimum(int channels, int height, int width, int minimum)
    {
        var error = Assert.Throws<ArgumentException>(() => new MobileNet(channels, height, width, classes: 10));

        Assert.Contains($"at least {minimum}×{minimum} pixels", error.Message);
        Assert.Contains($"these are {height}×{width}", error.Message);
    }

    [Fact]
    public void BuildsFromTheTrialsModel()
    {
        using var simple = Models.Create(ModelKind.SimpleCNN, 1, 28, 28, 10);
        using var mobile = Models.Create(ModelKind.MobileNet, 3, 32, 32, 10);

        Assert.IsType<SimpleCnn>(simple);
        Assert.IsType<MobileNet>(mobile);
    }
}

/// <summary>SimpleCNN's flatten size on odd and non-square inputs of several channels.</summary>
public class SimpleCnnOnOtherShapes
{
    public SimpleCnnOnOtherShapes() => FashionMnist.InitializeTorch();

    [Theory]
    // side → conv 5×5 valid (−4) → pool ⌊/2⌋ → conv (−4) → pool ⌊/2⌋
    [InlineData(1, 16, 16, 16 * 1 * 1)]        // 16 → 12 → 6 → 2 → 1
    [InlineData(2, 17, 30, 16 * 1 * 4)]        // 17 → 13 → 6 → 2 → 1; 30 → 26 → 13 → 9 → 4
    [InlineData(3, 50, 50, 16 * 9 * 9)]        // BBBC013's 50 → 46 → 23 → 19 → 9
    [InlineData(4, 21, 19, 16 * 2 * 1)]        // 21 → 17 → 8 → 4 → 2; 19 → 15 → 7 → 3 → 1
    public void FlattensTheRealFeatureMapSize(int channels, int height, int width, int flattened)
    {
        using var model = new SimpleCnn(channels, height, width, classes: 3);
        using var input = torch.rand(2, channels, height, width);
        using var logits = model.forward(input);

        Assert.Equal(flattened, model.FlattenedSize);
        Assert.Equal(new long[] { 2, 3 }, logits.shape);
    }
}

/// <summary>MobileNet trained for real through the trainer, on tiny inputs (the CPU here is slow for it).</summary>
public class TrainingMobileNet
{
    public TrainingMobileNet() => FashionMnist.InitializeTorch();

    /// <summary>64 synthetic 32×32×3 images of 2 classes: one half of each image brighter than the other.</summary>
    internal static ImageDataset Halves(int count = 64, int side = 32, int channels = 3)
    {
        var random = new Random(1);
        var pixels = new float[count * channels * side * side];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 2;
            for (var c = 0; c < channels; c++)
                for (var y = 0; y < side; y++)
                    for (var x = 0; x < side; x++)
                        pixels[((i * channels + c) * side + y) * side + x] =
                            (float)(0.5 * random.NextDouble() + ((x < side / 2) == (labels[i] == 0) ? 0.5 : 0));
        }
        return ImageDataset.FromArrays(pixels, labels, side, side, classes: 2, channels);
    }

    [Fact]
    public void TrainsAnEpochOnTinyImagesAndReportsFiniteMetricsAndAResumableCheckpoint()
    {
        using var data = Halves();
        var spec = new DatasetSpec("idx", "synthetic", "synthetic", 0.75, null);
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 16, 1, null, 3) { Model = ModelKind.MobileNet };
        var results = new List<EpochResult>();

        var outcome = Trainer.Train(data, FashionMnist.Sweep(spec), hp, "cpu", null, results.Add, CancellationToken.None);

        Assert.Equal(new TrainingOutcome(TrialState.Completed, null, 1), outcome.WithoutConfusion());
        var epoch = Assert.Single(results).Metrics;
        Assert.True(double.IsFinite(epoch.Loss) && double.IsFinite(epoch.ValLoss), $"{epoch}");
        Assert.Equal(16, Assert.Single(results).Confusion.Sum(row => row.Sum()));
        // The checkpoint is MobileNet's (BatchNorm statistics included) and names the model.
        var checkpoint = Checkpoint.Decode(results[0].Checkpoint);
        Assert.Contains("model=MobileNet", checkpoint.Fingerprint, StringComparison.Ordinal);
        Assert.Contains(checkpoint.Model, t => t.Name == "conv_pw_13_bn.running_var");
        // A SimpleCNN trial of the same settings may not resume from it.
        var error = Assert.Throws<ArgumentException>(() => Trainer.Train(data, FashionMnist.Sweep(spec), hp with { Model = ModelKind.SimpleCNN, Epochs = 2 },
            "cpu", new TrainingResume(1, results[0].Checkpoint), _ => { }, CancellationToken.None));
        Assert.Contains("model is SimpleCNN here but MobileNet in the checkpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumesAfterAnEpochToTheSameMetricsAsAnUninterruptedRun()
    {
        using var data = Halves(count: 48);
        var spec = new DatasetSpec("idx", "synthetic", "synthetic", 0.75, null);
        var hp = new Hyperparameters(OptimizerKind.Momentum, LossKind.CategoricalCrossEntropy, 0.01, 12, 2, null, 5) { Model = ModelKind.MobileNet };
        var straight = new List<EpochResult>();
        Trainer.Train(data, FashionMnist.Sweep(spec), hp, "cpu", null, straight.Add, CancellationToken.None);

        var resumed = new List<EpochResult>();
        Trainer.Train(data, FashionMnist.Sweep(spec), hp, "cpu", new TrainingResume(1, straight[0].Checkpoint), resumed.Add, CancellationToken.None);

        var (a, b) = (straight[1].Metrics, Assert.Single(resumed).Metrics);
        Assert.Equal((a.Loss, a.Accuracy, a.ValLoss, a.ValAccuracy), (b.Loss, b.Accuracy, b.ValLoss, b.ValAccuracy));
    }

    [Fact]
    public void RefusesImagesTooSmallForMobileNetBeforeTraining()
    {
        using var data = Halves(count: 8, side: 28, channels: 1);
        var spec = new DatasetSpec("idx", "synthetic", "synthetic", 0.75, null);
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 4, 1, null, 0) { Model = ModelKind.MobileNet };

        var error = Assert.Throws<ArgumentException>(() => Trainer.Train(data, FashionMnist.Sweep(spec), hp, "cpu", _ => { }, CancellationToken.None));

        Assert.Contains("at least 63×63 pixels with 1 channel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainsAtItsMinimumSizeWhenTheLastBatchWouldHoldASingleImage()
    {
        // 31×31×3 leaves 1×1 features, where BatchNorm cannot take statistics of one image: 12 images, 9 train, batch
        // 4 → batches of 4 and 4; the lone ninth image sits this epoch out.
        using var data = Halves(count: 12, channels: 3, side: 31);
        var spec = new DatasetSpec("idx", "synthetic", "synthetic", 0.75, null);
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.001, 4, 1, null, 3) { Model = ModelKind.MobileNet };
        var results = new List<EpochResult>();

        var outcome = Trainer.Train(data, FashionMnist.Sweep(spec), hp, "cpu", null, results.Add, CancellationToken.None);

        Assert.True(outcome.State == TrialState.Completed, outcome.Message);
        Assert.True(double.IsFinite(Assert.Single(results).Metrics.Loss));
    }
}
