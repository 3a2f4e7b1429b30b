using System.Diagnostics;
using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training.Export;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;

namespace Piximi.Sweep.Training.Tests.Export;

/// <summary>
/// MobileNets trained an epoch, exported as TensorFlow.js Layers models and loaded by the real @tensorflow/tfjs 4.22
/// under Node: TF.js must predict what we predict (same class for every image, every probability within 1e-4). That
/// holds only if every kernel is permuted right (the depthwise ones to [kh, kw, channels, 1]), BatchNorm's four
/// tensors go to the right slots with MobileNet's epsilon, every padding is the one our forward pads with (TF "same"
/// for conv1, zeros after only before the stride-2 depthwise convolutions), and the head ends in a softmax.
/// </summary>
public sealed class ExportingMobileNetToTensorFlowJs : IDisposable
{
    private const float Tolerance = 1e-4f;

    private readonly string _folder;
    private readonly ITestOutputHelper _output;

    public ExportingMobileNetToTensorFlowJs(ITestOutputHelper output)
    {
        FashionMnist.InitializeTorch();
        _output = output;
        _folder = Directory.CreateTempSubdirectory("piximi-tfjs-mobilenet-").FullName;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TfjsPredictsWhatWePredictForAMobileNetTrainedAnEpochOn32x32x3Images()
    {
        const int count = 200, channels = 3, height = 32, width = 32, classes = 3;
        var (pixels, checkpoint, hp, sweep) = TrainAnEpoch(count, channels, height, width, classes);
        var folder = Path.Combine(_folder, "rgb");
        var names = new[] { "red", "blue", "green" };

        var result = TfjsExport.Write(checkpoint, hp, names, folder);

        Assert.Equal(new InputShape(height, width, channels), result.Shape);
        Assert.Equal((1, 1), (result.ModelEpoch, result.CheckpointEpoch));
        var ours = TfjsExport.Predict(checkpoint, pixels, count);
        var theirs = Tfjs.Predict(result.ModelFile, pixels, count, channels, height, width);
        Assert.Equal([count, classes], theirs.Shape);
        AssertSamePredictions(ours, theirs.Probabilities, count, classes);

        var model = JsonNode.Parse(File.ReadAllText(result.ModelFile))!;
        Assert.True(JsonNode.DeepEquals(model["modelTopology"], theirs.Topology),
            $"ours:\n{model["modelTopology"]!.ToJsonString()}\nTF.js:\n{theirs.Topology.ToJsonString()}");
        var layers = model["modelTopology"]!["config"]!["layers"]!.AsArray();
        var layerNames = layers.Select(l => l!["config"]!["name"]!.GetValue<string>()).ToArray();
        _output.WriteLine(string.Join(", ", layers.Select(l => $"{l!["config"]!["name"]} ({l["class_name"]})")));
        Assert.Equal(["conv1", "conv1_bn", "conv1_relu", "conv_dw_1", "conv_dw_1_bn", "conv_dw_1_relu", "conv_pw_1", "conv_pw_1_bn",
            "conv_pw_1_relu", "conv_pad_2", "conv_dw_2"], layerNames.Take(11));
        Assert.Equal(["conv_pw_13_relu", "global_average_pooling2d", "reshape_1", "dropout", "conv_preds", "reshape_2", "act_softmax"],
            layerNames.TakeLast(7));
        // conv1 + 13 blocks of 6 layers + 4 ZeroPadding2D + the head's 6.
        Assert.Equal(3 + 13 * 6 + 4 + 6, layers.Count);
        Assert.Equal(["conv_pad_2", "conv_pad_4", "conv_pad_6", "conv_pad_12"], layerNames.Where(n => n.StartsWith("conv_pad_", StringComparison.Ordinal)));
        Assert.Equal("[null,32,32,3]", layers[0]!["config"]!["batch_input_shape"]!.ToJsonString());
        Assert.Equal("Piximi.Sweep (TorchSharp MobileNet)", model["generatedBy"]!.GetValue<string>());
        Assert.Equal(names, model["classes"]!.AsArray().Select(n => n!.GetValue<string>()));

        var manifest = Assert.Single(model["weightsManifest"]!.AsArray())!["weights"]!.AsArray();
        var shapes = manifest.ToDictionary(w => w!["name"]!.GetValue<string>(), w => w!["shape"]!.ToJsonString());
        Assert.Equal("[3,3,3,8]", shapes["conv1/kernel"]);
        Assert.Equal("[3,3,8,1]", shapes["conv_dw_1/depthwise_kernel"]);
        Assert.Equal("[1,1,8,16]", shapes["conv_pw_1/kernel"]);
        Assert.Equal("[256]", shapes["conv_pw_13_bn/moving_variance"]);
        Assert.Equal("[1,1,256,3]", shapes["conv_preds/kernel"]);
        // Every parameter and running statistic of our model (MobileNetTests counts 218,544 + Piximi's head), as float32.
        Assert.Equal(218_544 + 256 * classes + classes, manifest.Sum(w => w!["shape"]!.AsArray().Aggregate(1L, (n, d) => n * d!.GetValue<long>())));
        Assert.Equal((218_544 + 256 * classes + classes) * 4L, new FileInfo(result.WeightsFile).Length);
    }

    /// <summary>
    /// Two channels go through the input adapter (3×3 stride 2, "valid") first. 63 × 134 makes 31 × 66: conv1's "same"
    /// pads the odd side on both ends and the even one after only (16 × 33); block 2 then pads an odd side, where TF's
    /// "same" would pad before too; and the last block leaves 1 × 2 pixels for the global pooling.
    /// </summary>
    [Fact]
    public void ATwoChannelNonSquareMobileNetWithTheInputAdapterPredictsTheSameInTfjs()
    {
        const int count = 100, channels = 2, height = 63, width = 134, classes = 3;
        var (pixels, checkpoint, hp, sweep) = TrainAnEpoch(count, channels, height, width, classes);
        var folder = Path.Combine(_folder, "two-channel");

        var result = TfjsExport.Write(checkpoint, hp, classNames: null, folder);

        Assert.Equal(new InputShape(height, width, channels), result.Shape);
        Assert.Equal(["0", "1", "2"], result.ClassNames);
        var ours = TfjsExport.Predict(checkpoint, pixels, count);
        var theirs = Tfjs.Predict(result.ModelFile, pixels, count, channels, height, width);
        AssertSamePredictions(ours, theirs.Probabilities, count, classes);

        var model = JsonNode.Parse(File.ReadAllText(result.ModelFile))!;
        Assert.True(JsonNode.DeepEquals(model["modelTopology"], theirs.Topology),
            $"ours:\n{model["modelTopology"]!.ToJsonString()}\nTF.js:\n{theirs.Topology.ToJsonString()}");
        var layers = model["modelTopology"]!["config"]!["layers"]!.AsArray();
        _output.WriteLine(string.Join(", ", layers.Select(l => $"{l!["config"]!["name"]} ({l["class_name"]})")));
        Assert.Equal(["input_adapter", "conv1", "conv1_bn"], layers.Take(3).Select(l => l!["config"]!["name"]!.GetValue<string>()));
        Assert.Equal("[null,63,134,2]", layers[0]!["config"]!["batch_input_shape"]!.ToJsonString());
        Assert.Null(layers[1]!["config"]!["batch_input_shape"]);
        var manifest = model["weightsManifest"]![0]!["weights"]!.AsArray();
        Assert.Equal("input_adapter/kernel [3,3,2,3]; input_adapter/bias [3]; conv1/kernel [3,3,3,8]",
            string.Join("; ", manifest.Take(3).Select(w => $"{w!["name"]} {w["shape"]!.ToJsonString()}")));
    }

    [Fact]
    public void RefusesAMobileNetCheckpointWhoseWeightsDoNotFit()
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 8, 1, null, 0) { Model = ModelKind.MobileNet };
        var sweep = FashionMnist.Sweep(FashionMnist.Spec(null));
        var empty = new Checkpoint("model=MobileNet\ndata.size=32x32x3\ndata.classes=3", 1, 1, 1, 0, [], [],
            new OptimizerSnapshot("Adam", [])).Encode();
        var tooSmall = new Checkpoint("model=MobileNet\ndata.size=28x28\ndata.classes=3", 1, 1, 1, 0, [], [],
            new OptimizerSnapshot("Adam", [])).Encode();

        var weights = Assert.Throws<ModelExportException>(() => TfjsExport.Write(empty, hp, null, _folder));
        Assert.StartsWith("The checkpoint's weights do not fit MobileNet: Checkpoint holds model tensors []", weights.Message);
        var size = Assert.Throws<ModelExportException>(() => TfjsExport.Write(tooSmall, hp, null, _folder));
        Assert.StartsWith("The checkpoint's MobileNet cannot be built: MobileNet needs images of at least 63×63 pixels", size.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    /// <summary>
    /// Trains a MobileNet one epoch on images whose class is the brighter channel, with a bright square somewhere
    /// over noise, then settles its BatchNorm running statistics on all the images (see <see cref="SettleBatchNorm"/>);
    /// returns the images ([N·C·H·W]) and the checkpoint.
    /// </summary>
    private (float[] Pixels, byte[] Checkpoint, Hyperparameters Hp, SweepDefinition Sweep) TrainAnEpoch(
        int count, int channels, int height, int width, int classes)
    {
        var random = new Random(11);
        var pixels = new float[count * channels * height * width];
        var labels = new long[count];
        var side = Math.Min(height, width) / 3;
        for (var i = 0; i < count; i++)
        {
            var label = labels[i] = i % classes;
            var (top, left) = (random.Next(height - side), random.Next(width - side));
            for (var c = 0; c < channels; c++)
            {
                var background = (label + c) % classes == 0 ? 0.5f : 0.1f;
                for (var y = 0; y < height; y++)
                    for (var x = 0; x < width; x++)
                        pixels[((i * channels + c) * height + y) * width + x] = background + 0.3f * random.NextSingle()
                            + (y >= top && y < top + side && x >= left && x < left + side ? 0.2f : 0);
            }
        }
        using var data = ImageDataset.FromArrays(pixels, labels, height, width, classes, channels);
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.001, 8, 1, null, 3) { Model = ModelKind.MobileNet };
        var sweep = FashionMnist.Sweep(new DatasetSpec("idx", "synthetic", "synthetic", 0.75, null));
        var epochs = new List<EpochResult>();
        var clock = Stopwatch.StartNew();
        var outcome = Trainer.Train(data, sweep, hp, "cpu", resume: null, epochs.Add, CancellationToken.None);
        Assert.True(outcome.State == TrialState.Completed, outcome.Message);
        var checkpoint = SettleBatchNorm(epochs[^1].Checkpoint, data);
        _output.WriteLine($"trained {count} images {height}×{width}×{channels} in {clock.Elapsed.TotalSeconds:F1} s: {epochs[^1].Metrics}");

        // The running statistics the export must carry: far from BatchNorm's initial 0 and 1, so that swapping them,
        // or leaving them out, cannot go unnoticed.
        var tensors = Checkpoint.Decode(checkpoint).Model.ToDictionary(t => t.Name, t => t.Data);
        Assert.True(Farthest(tensors["conv1_bn.running_mean"], 0) > 0.1, "conv1_bn's running mean is still near 0");
        Assert.True(Farthest(tensors["conv_dw_1_bn.running_var"], 1) > 0.1, "conv_dw_1_bn's running variance is still near 1");
        Assert.True(Farthest(tensors["conv_pw_13_bn.running_var"], 1) > 0.1, "conv_pw_13_bn's running variance is still near 1");
        return (pixels, checkpoint, hp, sweep);
    }

    /// <summary>
    /// The checkpoint with BatchNorm's running statistics set to the statistics of all the images, as a long training
    /// leaves them. After one epoch, Keras' momentum 0.99 has moved them only part of the way from 0 and 1; the
    /// variances, much larger than the real ones, then shrink the signal at every layer in eval mode, and the trained
    /// MobileNet gives every image the same probabilities (to the last float32 bit, in both tests here), where any
    /// export would agree. Settled, every layer passes on what distinguishes the images, and a wrong layer changes the
    /// probabilities.
    /// </summary>
    private static byte[] SettleBatchNorm(byte[] trained, ImageDataset data)
    {
        var checkpoint = Checkpoint.Decode(trained);
        using var model = new MobileNet(data.Channels, data.Height, data.Width, data.Classes);
        TorchState.RestoreModel(model, checkpoint.Model);
        foreach (var batchNorm in model.modules().OfType<BatchNorm2d>())
            batchNorm.momentum = 1;
        model.train();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            model.forward(data.Images);
        return (checkpoint with { Model = TorchState.CaptureModel(model) }).Encode();
    }

    private static float Farthest(TensorData data, float from)
    {
        using var tensor = torch.empty(data.Shape, (torch.ScalarType)data.ScalarType);
        tensor.bytes = data.Bytes;
        return (tensor - from).abs().max().item<float>();
    }

    private void AssertSamePredictions(float[] ours, float[] theirs, int count, int classes)
    {
        Assert.Equal(count * classes, theirs.Length);
        var worst = 0f;
        var predicted = new HashSet<int>();
        var unsure = 0;
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < classes; k++)
                worst = Math.Max(worst, Math.Abs(ours[i * classes + k] - theirs[i * classes + k]));
            var (mine, tfjs) = (Tfjs.ArgMax(ours, i, classes), Tfjs.ArgMax(theirs, i, classes));
            Assert.True(mine == tfjs, $"image {i}: we predict class {mine}, TF.js {tfjs}");
            predicted.Add(mine);
            if (ours[i * classes + mine] < 0.99f) unsure++;
        }
        _output.WriteLine($"largest probability difference {worst:G3}; classes predicted {predicted.Count}; rows below 0.99: {unsure} of {count}");
        Assert.True(worst <= Tolerance, $"probabilities differ by up to {worst:G3} (allowed {Tolerance:G3})");
        // Neither one class for every image nor saturated one-hot rows, where a broken export could still agree.
        Assert.True(predicted.Count > 1, "the model predicts one class for every image");
        Assert.True(unsure >= count / 4, $"only {unsure} of {count} images have a probability below 0.99");
    }
}
