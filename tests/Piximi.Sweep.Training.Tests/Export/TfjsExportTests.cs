using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training.Export;
using TorchSharp;

namespace Piximi.Sweep.Training.Tests.Export;

/// <summary>
/// Trained SimpleCNNs exported as TensorFlow.js Layers models and loaded by the real @tensorflow/tfjs 4.22 under
/// Node: TF.js must predict what we predict (same class, every probability within 1e-4), which holds only if the
/// kernels are transposed, the dense rows permuted from torch's (C, H, W) flatten order to Keras's (H, W, C), and
/// the softmax is on the Dense layer.
/// </summary>
public sealed class ExportingSimpleCnnToTensorFlowJs : IClassFixture<TrainerOnFashionMnist.Data>, IDisposable
{
    private const float Tolerance = 1e-4f;

    private readonly TrainerOnFashionMnist.Data _data;
    private readonly string _folder;

    public ExportingSimpleCnnToTensorFlowJs(TrainerOnFashionMnist.Data data)
    {
        FashionMnist.InitializeTorch();
        _data = data;
        _folder = Directory.CreateTempSubdirectory("piximi-tfjs-").FullName;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TfjsPredictsWhatWePredictOnOneHundredFashionMnistValidationImages()
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 2, null, 0);
        var sweep = FashionMnist.Sweep(_data.Spec);
        var epochs = Train(_data.Images, sweep, hp);
        var checkpoint = epochs[^1].Checkpoint;
        var folder = Path.Combine(_folder, "model");
        var names = new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

        var result = TfjsExport.Write(checkpoint, hp, names, folder);

        Assert.Equal(new InputShape(28, 28, 1), result.Shape);
        Assert.Equal((2, 2), (result.ModelEpoch, result.CheckpointEpoch));
        var (pixels, labels) = Validation(_data.Images, _data.Spec.TrainingPercentage, hp.Seed);
        Assert.Equal(100, labels.Length);
        var ours = TfjsExport.Predict(checkpoint, pixels, 100);
        var theirs = Tfjs.Predict(result.ModelFile, pixels, 100, channels: 1, height: 28, width: 28);

        Assert.Equal([100, 10], theirs.Shape);
        AssertSamePredictions(ours, theirs.Probabilities, 100, 10);
        // A trained model, not a near-uniform one where anything would agree: most validation images right.
        var correct = Enumerable.Range(0, 100).Count(i => Tfjs.ArgMax(ours, i, 10) == labels[i]);
        Assert.True(correct >= 50, $"only {correct} of 100 validation images right after 2 epochs");
        Assert.Equal(epochs[^1].Metrics.ValAccuracy, correct / 100.0, 6);

        // The topology we wrote is the one TF.js serialises back from the model it built: names, shapes, softmax.
        var model = JsonNode.Parse(File.ReadAllText(result.ModelFile))!;
        Assert.True(JsonNode.DeepEquals(model["modelTopology"], theirs.Topology),
            $"ours:\n{model["modelTopology"]!.ToJsonString()}\nTF.js:\n{theirs.Topology.ToJsonString()}");
        Assert.Equal("layers-model", model["format"]!.GetValue<string>());
        var layers = model["modelTopology"]!["config"]!["layers"]!.AsArray();
        Assert.Equal(["conv2d_Conv2D1", "max_pooling2d_MaxPooling2D1", "conv2d_Conv2D2", "max_pooling2d_MaxPooling2D2", "flatten_Flatten1", "dense_Dense1"],
            layers.Select(l => l!["config"]!["name"]!.GetValue<string>()));
        Assert.Equal("softmax", layers[^1]!["config"]!["activation"]!.GetValue<string>());
        Assert.Equal("[null,28,28,1]", layers[0]!["config"]!["batch_input_shape"]!.ToJsonString());
        var manifest = Assert.Single(model["weightsManifest"]!.AsArray())!;
        Assert.Equal("[\"./model.weights.bin\"]", manifest["paths"]!.ToJsonString());
        Assert.Equal(
            "conv2d_Conv2D1/kernel [5,5,1,8]; conv2d_Conv2D1/bias [8]; conv2d_Conv2D2/kernel [5,5,8,16]; conv2d_Conv2D2/bias [16]; " +
            "dense_Dense1/kernel [256,10]; dense_Dense1/bias [10]",
            string.Join("; ", manifest["weights"]!.AsArray().Select(w => $"{w!["name"]} {w["shape"]!.ToJsonString()}")));
        Assert.All(manifest["weights"]!.AsArray(), w => Assert.Equal("float32", w!["dtype"]!.GetValue<string>()));
        Assert.Equal((200 + 8 + 3200 + 16 + 2560 + 10) * 4, new FileInfo(result.WeightsFile).Length);
        Assert.Equal([Path.Combine(folder, "model.json"), Path.Combine(folder, "model.weights.bin")], Directory.GetFiles(folder).Order());
        // Piximi's own keys: the classes in label order, the input shape it resizes images to, and how it was trained
        // (Piximi's display strings); whether Piximi accepts them is the conformance tests' question.
        Assert.Equal(names, model["classes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("{\"planes\":1,\"height\":28,\"width\":28,\"channels\":1}", model["preprocessSettings"]!["inputShape"]!.ToJsonString());
        Assert.Equal("{\"epochs\":2,\"batchSize\":32,\"optimizationAlgorithm\":\"Adam\",\"learningRate\":0.01,\"lossFunction\":\"Categorical (softmax) cross entropy\",\"metrics\":[\"Categorical accuracy\"]}",
            model["optimizerSettings"]!.ToJsonString());
        // The zip holds the same two files at its root.
        using var zip = System.IO.Compression.ZipFile.OpenRead(result.ZipFile);
        Assert.Equal(folder + ".zip", result.ZipFile);
        Assert.Equal(["model.json", "model.weights.bin"], zip.Entries.Select(e => e.FullName));
    }

    /// <summary>
    /// 20×24 with 2 channels: height, width and channels all differ, so any mix-up of the flatten order (or of H and
    /// W) scrambles the dense layer's inputs.
    /// </summary>
    [Fact]
    public void ANonSquareTwoChannelModelPredictsTheSameInTfjs()
    {
        const int count = 60, channels = 2, height = 20, width = 24, classes = 3;
        var random = new Random(7);
        var pixels = Enumerable.Range(0, count * channels * height * width).Select(_ => random.NextSingle()).ToArray();
        var labels = Enumerable.Range(0, count).Select(i => (long)(i % classes)).ToArray();
        using var data = ImageDataset.FromArrays(pixels, labels, height, width, classes, channels, ["nucleus", "cytoplasm", "background"]);
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 16, 1, null, 3);
        var sweep = FashionMnist.Sweep(FashionMnist.Spec(null));
        var checkpoint = Train(data, sweep, hp)[^1].Checkpoint;
        var folder = Path.Combine(_folder, "two-channel");

        var result = TfjsExport.Write(checkpoint, hp, classNames: null, folder);

        Assert.Equal(new InputShape(height, width, channels), result.Shape);
        Assert.Equal(["0", "1", "2"], result.ClassNames);
        var ours = TfjsExport.Predict(checkpoint, pixels, count);
        var theirs = Tfjs.Predict(result.ModelFile, pixels, count, channels, height, width);
        AssertSamePredictions(ours, theirs.Probabilities, count, classes);
        var model = JsonNode.Parse(File.ReadAllText(result.ModelFile))!;
        // 20 → 16 → 8 → 4 → 2 and 24 → 20 → 10 → 6 → 3: 2·3·16 = 96 features.
        Assert.Equal("[96,3]", model["weightsManifest"]![0]!["weights"]![4]!["shape"]!.ToJsonString());
        Assert.Equal("[null,20,24,2]", model["modelTopology"]!["config"]!["layers"]![0]!["config"]!["batch_input_shape"]!.ToJsonString());
    }

    /// <summary>
    /// Early stopping keeps an earlier epoch's weights in the last checkpoint's trailing section: that epoch's model
    /// is the trial's, and the one exported. Adam at 0.02 with patience 1 on val_loss stops after epoch 3, epoch 2 best
    /// (StoppingTests).
    /// </summary>
    [Fact]
    public void WithEarlyStoppingTheBestEpochsWeightsAreExportedNotTheLastEpochs()
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.02, 32, 6, null, 0);
        var sweep = FashionMnist.Sweep(_data.Spec) with { EarlyStopping = new EarlyStoppingSpec(MetricNames.ValLoss, 1) };
        TrainingOutcome? outcome = null;
        var epochs = Train(_data.Images, sweep, hp, o => outcome = o);
        Assert.Equal(2, outcome!.ResultEpoch);
        Assert.Equal(3, epochs.Count);
        var last = epochs[^1].Checkpoint;
        var folder = Path.Combine(_folder, "early");

        var result = TfjsExport.Write(last, hp, _data.Images.ClassNames, folder);

        Assert.Equal((2, 3), (result.ModelEpoch, result.CheckpointEpoch));
        var (pixels, _) = Validation(_data.Images, _data.Spec.TrainingPercentage, hp.Seed);
        var ours = TfjsExport.Predict(last, pixels, 100);
        Assert.Equal(TfjsExport.Predict(epochs[1].Checkpoint, pixels, 100), ours);
        var lastEpochsOwn = Checkpoint.Decode(last) with { EarlyStopping = null };
        Assert.NotEqual(TfjsExport.Predict(lastEpochsOwn.Encode(), pixels, 100), ours);
        AssertSamePredictions(ours, Tfjs.Predict(result.ModelFile, pixels, 100, 1, 28, 28).Probabilities, 100, 10);
    }

    [Fact]
    public void RefusesOtherModelsWrongClassNamesAndUnreadableCheckpoints()
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 1, null, 0);
        var sweep = FashionMnist.Sweep(_data.Spec);
        var other = new Checkpoint("model=ResNet\ndata.size=224x224x3\ndata.classes=10", 1, 1, 1, 0, [], [],
            new OptimizerSnapshot("Adam", [])).Encode();

        var resNet = Assert.Throws<ModelExportException>(() => TfjsExport.Write(other, hp, null, _folder));
        Assert.Equal("Only SimpleCNN and MobileNet models can be exported to TensorFlow.js; this checkpoint holds a ResNet model.", resNet.Message);
        var garbage = Assert.Throws<ModelExportException>(() => TfjsExport.Write([1, 2, 3], hp, null, _folder));
        Assert.StartsWith("The trial's checkpoint cannot be read: Not a training checkpoint", garbage.Message);

        var checkpoint = Train(_data.Images, sweep, hp)[^1].Checkpoint;
        var names = Assert.Throws<ModelExportException>(() => TfjsExport.Write(checkpoint, hp, ["a", "b"], _folder));
        Assert.Equal("The model has 10 outputs but 2 class names were given.", names.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    private static List<EpochResult> Train(ImageDataset data, SweepDefinition sweep, Hyperparameters hp, Action<TrainingOutcome>? outcome = null)
    {
        var epochs = new List<EpochResult>();
        var result = Trainer.Train(data, sweep, hp, "cpu", resume: null, epochs.Add, CancellationToken.None);
        Assert.Equal(TrialState.Completed, result.State);
        outcome?.Invoke(result);
        return epochs;
    }

    /// <summary>The trial's validation images ([N·C·H·W]) and labels, as the trainer splits them.</summary>
    private static (float[] Pixels, long[] Labels) Validation(ImageDataset data, double trainingPercentage, int seed)
    {
        var (_, validation) = Trainer.Split(data.Count, trainingPercentage, seed);
        using var scope = torch.NewDisposeScope();
        var index = torch.tensor(Array.ConvertAll(validation, i => (long)i));
        return (data.Images.index_select(0, index).data<float>().ToArray(), data.Labels.index_select(0, index).data<long>().ToArray());
    }

    private static void AssertSamePredictions(float[] ours, float[] theirs, int count, int classes)
    {
        Assert.Equal(count * classes, theirs.Length);
        var worst = 0f;
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < classes; k++)
                worst = Math.Max(worst, Math.Abs(ours[i * classes + k] - theirs[i * classes + k]));
            Assert.True(Tfjs.ArgMax(ours, i, classes) == Tfjs.ArgMax(theirs, i, classes),
                $"image {i}: we predict class {Tfjs.ArgMax(ours, i, classes)}, TF.js {Tfjs.ArgMax(theirs, i, classes)}");
        }
        Assert.True(worst <= Tolerance, $"probabilities differ by up to {worst:G3} (allowed {Tolerance:G3})");
    }
}
