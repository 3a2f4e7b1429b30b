using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Piximi.Sweep.Training.Tests.Piximi;

namespace Piximi.Sweep.Cli.Tests.Conformance;

/// <summary>
/// What a user gets in Piximi from <c>export --model</c>, checked against Piximi 1.1.4's own code (PiximiUpload):
/// a real sweep trains, its winner is exported, and Piximi's Load Model → Upload Local takes the files in both forms
/// (the zip, and the two files as a browser hands them over), accepts our metadata, names the classes as the sweep
/// did, and, predicting the trial's own validation images at their own size through its own preprocessing, puts
/// them in the classes our store recorded: the confusion matrix Piximi's predictions make is the stored one.
/// </summary>
public sealed class Piximi_accepts_and_predicts_what_we_export
{
    private static readonly string[] FashionNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    [Fact]
    public async Task A_fashion_mnist_simple_cnn_at_28x28x1()
    {
        using var folder = new TestFolder();
        var trained = await TrainAndExport(folder, TestFolder.SmallSweep("fashion", 1200, ("learning_rate", "0.01"), ("batch_size", "32"), ("epochs", "2")),
            IdxOriginals(1200));

        foreach (var files in trained.UploadForms)
            AssertPiximiPredictsAsRecorded(trained, PiximiUpload.Run(files, trained.Images, trained.Shape));
    }

    [Fact]
    public async Task A_20x20x1_simple_cnn_of_a_project_of_28x28_images()
    {
        using var folder = new TestFolder();
        var (project, originals) = FashionProject(folder, count: 1200, channels: 1, inputShape: [1, 20, 20, 1]);
        var trained = await TrainAndExport(folder, ProjectSweep("twenty", project), originals);

        Assert.Equal(new InputShape(20, 20, 1), trained.InputShape);
        foreach (var files in trained.UploadForms)
            AssertPiximiPredictsAsRecorded(trained, PiximiUpload.Run(files, trained.Images, trained.Shape));

        // Mapping the classes by hand onto the project's categories of the same names, the other way Piximi's dialog
        // offers, files no image under any category in Piximi 1.1.4 (useClassMapDialog.tsx:102-112): the README says
        // to keep "Create new categories from model classes?" ticked, and this is why.
        var byHand = PiximiUpload.Run([trained.ZipFile], trained.Images, trained.Shape, "manual", FashionNames);
        Assert.True(byHand.MetadataAccepted, byHand.ToString());
        Assert.True(byHand.Predictions is null || byHand.Predictions.All(p => !FashionNames.Contains(p)), byHand.ToString());
    }

    /// <summary>28 → 24 is a size pair where TF.js's CPU kernel blackens the last row and column (SWEEP-FILE.md).</summary>
    [Fact]
    public async Task A_24x24x3_simple_cnn_of_a_project_of_28x28_colour_images()
    {
        using var folder = new TestFolder();
        var (project, originals) = FashionProject(folder, count: 1200, channels: 3, inputShape: [1, 24, 24, 3]);
        var trained = await TrainAndExport(folder, ProjectSweep("colour", project), originals);

        Assert.Equal(new InputShape(24, 24, 3), trained.InputShape);
        foreach (var files in trained.UploadForms)
            AssertPiximiPredictsAsRecorded(trained, PiximiUpload.Run(files, trained.Images, trained.Shape));

        // The settings file and what to set by hand carry the same input shape, read from the store alone.
        File.Delete(project);
        var settings = await Cli.RunAsync("export", "colour", "--piximi", "--db", folder.Db);
        Assert.True(settings.ExitCode == 0, settings.ToString());
        var shape = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "results", "colour-model_hyperparameters.json")))!["preprocessOptions"]!["inputShape"]!;
        Assert.Equal("{\"planes\":1,\"height\":24,\"width\":24,\"channels\":3}", shape.ToJsonString());
        Assert.Contains("  Input Shape: Col 24, Row 24, Ch. 3", settings.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// MobileNet (trained from scratch) at 32×32×3, Piximi resizing the 28×28 colour images up. Batches of 8 over
    /// eight epochs: 904 steps. BatchNorm's running variance starts at 1 and keeps 0.99^steps of it (Keras' momentum),
    /// while the depthwise layers' real variances here are 0.002 to 0.07; after 339 steps (three epochs) the leftover
    /// 0.033 makes them several times too large, eval mode shrinks the signal layer after layer, and every validation
    /// image gets one class (in Keras too: TF.js Layers trained the same way does the same), so the check would have
    /// nothing to compare. At 904 steps 0.99^steps is 1.1e-4, a twentieth of the smallest (see MobileNetTests).
    /// </summary>
    [Fact]
    public async Task A_mobilenet_at_32x32x3_of_a_project_of_28x28_colour_images()
    {
        using var folder = new TestFolder();
        var (project, originals) = FashionProject(folder, count: 1200, channels: 3, inputShape: [1, 32, 32, 3]);
        var sweep = ProjectSweep("mobile", project).Replace("optimizer: Adam", "model: MobileNet, optimizer: Adam")
            .Replace("batch_size: 32, epochs: 2", "batch_size: 8, epochs: 8");
        var trained = await TrainAndExport(folder, sweep, originals);

        Assert.Equal(new InputShape(32, 32, 3), trained.InputShape);
        foreach (var files in trained.UploadForms)
            AssertPiximiPredictsAsRecorded(trained, PiximiUpload.Run(files, trained.Images, trained.Shape));
    }

    /// <summary>
    /// The check can fail: without <c>optimizerSettings</c> Piximi drops all our metadata; with two classes swapped
    /// it names the predictions wrongly. Both are caught, in the form a user uploads.
    /// </summary>
    [Fact]
    public async Task The_check_fails_without_optimizer_settings_and_with_two_classes_swapped()
    {
        using var folder = new TestFolder();
        var trained = await TrainAndExport(folder, TestFolder.SmallSweep("planted", 600, ("learning_rate", "0.01"), ("batch_size", "32"), ("epochs", "1")),
            IdxOriginals(600));
        var exported = File.ReadAllText(trained.ModelFile);
        AssertPiximiPredictsAsRecorded(trained, PiximiUpload.Run([trained.ModelFile, trained.WeightsFile], trained.Images, trained.Shape));

        var noSettings = JsonNode.Parse(exported)!.AsObject();
        noSettings.Remove("optimizerSettings");
        File.WriteAllText(trained.ModelFile, noSettings.ToJsonString());
        var dropped = PiximiUpload.Run([trained.ModelFile, trained.WeightsFile], trained.Images, trained.Shape);
        Assert.False(dropped.MetadataAccepted, dropped.ToString());
        Assert.Contains("Piximi dropped our metadata", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertPiximiPredictsAsRecorded(trained, dropped)).Message, StringComparison.Ordinal);

        var swapped = JsonNode.Parse(exported)!.AsObject();
        var classes = swapped["classes"]!.AsArray();
        (classes[0], classes[1]) = (JsonValue.Create(classes[1]!.GetValue<string>()), JsonValue.Create(classes[0]!.GetValue<string>()));
        File.WriteAllText(trained.ModelFile, swapped.ToJsonString());
        var misnamed = PiximiUpload.Run([trained.ModelFile, trained.WeightsFile], trained.Images, trained.Shape);
        Assert.True(misnamed.MetadataAccepted, misnamed.ToString());
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertPiximiPredictsAsRecorded(trained, misnamed));
        // Also without comparing the class lists: the images of the two classes are predicted under each other's names.
        Assert.Contains("land in another cell", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertPiximiPredictsAsRecorded(trained, misnamed, compareClassLists: false)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The check can fail on the resize: a model trained on images resized as resizeBilinear resizes them (what we did
    /// before) has its validation predictions recorded on those images, while Piximi resizes the same 28×28 images with
    /// cropAndResize before predicting. The same training on our resize passes. Trained in-process, so the resize can
    /// be swapped.
    /// </summary>
    [Fact]
    public void The_check_fails_when_the_training_resize_is_not_piximis()
    {
        using var folder = new TestFolder();
        var (_, originals) = FashionProject(folder, count: 1200, channels: 1, inputShape: [1, 20, 20, 1]);

        var ours = TrainInProcess(folder, originals, "ours", ImageResize.CropAndResize);
        var bilinear = TrainInProcess(folder, originals, "bilinear", ResizeBilinear);

        AssertPiximiPredictsAsRecorded(ours, PiximiUpload.Run([ours.ZipFile], ours.Images, ours.Shape));
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertPiximiPredictsAsRecorded(bilinear, PiximiUpload.Run([bilinear.ZipFile], bilinear.Images, bilinear.Shape)));
        Assert.Contains("validation images land in another cell of the confusion matrix", failure.Message, StringComparison.Ordinal);
    }

    private delegate void Resize(ReadOnlySpan<float> source, int channels, int inHeight, int inWidth, Span<float> target, int outHeight, int outWidth);

    /// <summary>Trains a 20×20 SimpleCNN on <paramref name="originals"/> resized by <paramref name="resize"/> and exports it.</summary>
    private static Trained TrainInProcess(TestFolder folder, Originals originals, string name, Resize resize)
    {
        const int side = 20;
        var count = originals.Labels.Length;
        var resized = new float[count * side * side];
        for (var i = 0; i < count; i++)
            resize(originals.Images.AsSpan(i * 784, 784), 1, 28, 28, resized.AsSpan(i * side * side, side * side), side, side);
        TorchRuntime.Initialize(1);
        using var data = ImageDataset.FromArrays(resized, originals.Labels, side, side, FashionNames.Length, 1, FashionNames);
        var spec = new DatasetSpec(DatasetSpec.Piximi, "/in-memory/fashion.zip", null, 0.75, null);
        var sweep = new SweepDefinition(name, spec, ModelKind.SimpleCNN, MetricNames.ValAccuracy,
            new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.01], [32], [2], null, [3]));
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 2, null, 3);
        byte[]? checkpoint = null;
        var outcome = Trainer.Train(data, sweep, hp, "cpu", null, epoch => checkpoint = epoch.Checkpoint, CancellationToken.None);
        Assert.Equal(TrialState.Completed, outcome.State);
        var result = Training.Export.TfjsExport.Write(checkpoint!, hp, FashionNames, Path.Combine(folder.Path, name), name);

        var (_, validation) = Trainer.Split(count, 0.75, hp.Seed);
        var images = new float[validation.Length * 784];
        for (var i = 0; i < validation.Length; i++) originals.Images.AsSpan(validation[i] * 784, 784).CopyTo(images.AsSpan(i * 784, 784));
        return new Trained(result.ModelFile, result.WeightsFile, result.ZipFile, result.Shape, FashionNames, outcome.Confusion,
            images, [validation.Length, 28, 28, 1], [.. validation.Select(v => originals.Labels[v])]);
    }

    /// <summary>tf.image.resizeBilinear's sampling (no aligned corners, no half pixels): row y samples y·in/out.</summary>
    private static void ResizeBilinear(ReadOnlySpan<float> source, int channels, int inHeight, int inWidth, Span<float> target, int outHeight, int outWidth)
    {
        for (var y = 0; y < outHeight; y++)
        {
            var sy = (double)y * inHeight / outHeight;
            int top = (int)sy, bottom = Math.Min(top + 1, inHeight - 1);
            for (var x = 0; x < outWidth; x++)
            {
                var sx = (double)x * inWidth / outWidth;
                int left = (int)sx, right = Math.Min(left + 1, inWidth - 1);
                for (var c = 0; c < channels; c++)
                {
                    var plane = c * inHeight * inWidth;
                    double tl = source[plane + top * inWidth + left], tr = source[plane + top * inWidth + right];
                    double bl = source[plane + bottom * inWidth + left], br = source[plane + bottom * inWidth + right];
                    var upper = tl + (tr - tl) * (sx - left);
                    var lower = bl + (br - bl) * (sx - left);
                    target[c * outHeight * outWidth + y * outWidth + x] = (float)(upper + (lower - upper) * (sy - top));
                }
            }
        }
    }

    // ----- the check -----

    /// <summary>
    /// Piximi took the upload and our metadata, calls the classes what the sweep called them, and its predictions of
    /// the trial's validation images make the stored confusion matrix: at most one image in 1,000 in another cell
    /// (an arg-max between two near-equal probabilities may fall either way in float32; none did in these tests).
    /// </summary>
    private static void AssertPiximiPredictsAsRecorded(Trained trained, PiximiUpload.Result piximi, bool compareClassLists = true)
    {
        Assert.True(piximi.Uploaded, $"Piximi did not take the upload:\n{piximi}");
        Assert.True(piximi.MetadataAccepted, $"Piximi dropped our metadata ({string.Join("; ", piximi.Warnings)}):\n{piximi}");
        if (compareClassLists) Assert.Equal(trained.ClassNames, piximi.Classes);
        Assert.True(piximi.PredictError is null && piximi.Predictions is not null, $"Piximi could not predict:\n{piximi}");
        var predictions = piximi.Predictions!;
        Assert.Equal(trained.Labels.Length, predictions.Count);
        var classes = trained.ClassNames.Count;
        var confusion = new int[classes, classes];
        for (var i = 0; i < predictions.Count; i++)
        {
            var predicted = trained.ClassNames.ToList().IndexOf(predictions[i]);
            Assert.True(predicted >= 0, $"image {i}: Piximi predicted '{predictions[i]}', not a class of the sweep");
            confusion[trained.Labels[i], predicted]++;
        }
        // A model that puts every image in one class would agree with anything: the recorded predictions must vary.
        Assert.True(Enumerable.Range(0, classes).Count(p => trained.Recorded.Sum(row => row[p]) > 0) >= 2,
            "the recorded model predicts a single class for every validation image; nothing to compare");
        var moved = 0;
        for (var actual = 0; actual < classes; actual++)
            for (var predicted = 0; predicted < classes; predicted++)
                moved += Math.Abs(confusion[actual, predicted] - trained.Recorded[actual][predicted]);
        moved /= 2;
        var allowed = trained.Labels.Length / 1000;
        Assert.True(moved <= allowed,
            $"{moved} of {trained.Labels.Length} validation images land in another cell of the confusion matrix in Piximi than in our store (allowed {allowed})");
    }

    // ----- training and exporting for real -----

    /// <summary>
    /// A trained and exported winner: the stored confusion matrix and class names, the exported files, and the
    /// trial's validation images at their own size ([N, H, W, C] in [0, 1], as Piximi holds them) with their labels.
    /// </summary>
    private sealed record Trained(
        string ModelFile, string WeightsFile, string ZipFile, InputShape InputShape,
        IReadOnlyList<string> ClassNames, IReadOnlyList<IReadOnlyList<int>> Recorded,
        float[] Images, int[] Shape, long[] Labels)
    {
        /// <summary>The zip, and the two files in the order a file dialog lists them (alphabetical: .json before .weights.bin).</summary>
        public IEnumerable<IReadOnlyList<string>> UploadForms => [[ZipFile], [ModelFile, WeightsFile]];
    }

    /// <summary>The whole dataset's images at their own size, [N, H, W, C] in [0, 1], in the dataset's order.</summary>
    private sealed record Originals(float[] Images, long[] Labels, int Height, int Width, int Channels);

    private static async Task<Trained> TrainAndExport(TestFolder folder, string sweepYaml, Originals originals)
    {
        var name = sweepYaml.Split('\n')[0]["name: ".Length..].Trim();
        var file = folder.Write($"{name}.yaml", sweepYaml);
        var run = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(5), "run", file, "--db", folder.Db, "--workers", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        var export = await Cli.RunAsync("export", name, "--model", "--db", folder.Db);
        Assert.True(export.ExitCode == 0, export.ToString());

        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep(name)!;
        var best = Ranking.Rank(store.SummarizeTrials(sweep.Id), sweep.Definition.Metric).First().Summary.Trial;
        var evaluation = store.LoadEvaluation(best.Id)!;
        var count = originals.Labels.Length;
        Assert.Equal(count, sweep.Definition.Dataset.Facts!.Images);
        var (_, validation) = Trainer.Split(count, sweep.Definition.Dataset.TrainingPercentage, best.Hyperparameters.Seed);
        var size = originals.Height * originals.Width * originals.Channels;
        var images = new float[validation.Length * size];
        for (var i = 0; i < validation.Length; i++)
            originals.Images.AsSpan(validation[i] * size, size).CopyTo(images.AsSpan(i * size, size));

        var results = Path.Combine(folder.Path, "results");
        var modelName = $"{name}-trial{best.Number}";
        return new Trained(
            Path.Combine(results, $"{name}-model", $"{modelName}.json"), Path.Combine(results, $"{name}-model", $"{modelName}.weights.bin"),
            Path.Combine(results, $"{name}-model.zip"), sweep.Definition.Dataset.Facts.InputShape,
            evaluation.ClassNames, evaluation.Confusion,
            images, [validation.Length, originals.Height, originals.Width, originals.Channels],
            [.. validation.Select(v => originals.Labels[v])]);
    }

    /// <summary>The first <paramref name="subset"/>-image subset of Fashion-MNIST's training file, as the IDX reader picks it.</summary>
    private static Originals IdxOriginals(int subset)
    {
        var spec = new DatasetSpec(DatasetSpec.Idx, $"{TestFolder.FashionMnist}/train-images-idx3-ubyte.gz", $"{TestFolder.FashionMnist}/train-labels-idx1-ubyte.gz", 0.75, subset);
        TorchRuntime.Initialize(1);
        using var data = ImageDataset.Load(spec);
        // One channel: [N, 1, H, W] is [N, H, W, 1].
        return new Originals(data.Images.data<float>().ToArray(), data.Labels.data<long>().ToArray(), data.Height, data.Width, 1);
    }

    /// <summary>
    /// A Piximi project of <paramref name="count"/> Fashion-MNIST test images at 28×28 (with 3 channels: each class
    /// tinted its own way, so colour matters), labelled with Fashion-MNIST's class names, whose classifier input
    /// shape is <paramref name="inputShape"/>; and the images as Piximi holds them.
    /// </summary>
    private static (string Project, Originals Originals) FashionProject(TestFolder folder, int count, int channels, int[] inputShape)
    {
        var pixels = IdxFile.Read($"{TestFolder.FashionMnist}/t10k-images-idx3-ubyte.gz", IdxFile.Images, keepBody: true).Body!;
        var labelFile = IdxFile.Read($"{TestFolder.FashionMnist}/t10k-labels-idx1-ubyte.gz", IdxFile.Labels, keepBody: true);
        var labels = IdxFile.LabelValues(labelFile.Header!, labelFile.Body!);
        var builder = new PiximiProjectBuilder { InputShape = inputShape, BatchSize = 32, Epochs = 2, LearningRate = 0.01 };
        builder.Categories.RemoveAll(c => c.Kind == "Image" && c.Id != PiximiProjectBuilder.UnknownImageCategory);
        for (var k = 0; k < FashionNames.Length; k++) builder.Categories.Insert(1 + k, ($"c{k}-{k * 7919 % 1000:000}", FashionNames[k], "Image"));
        var images = new float[count * 28 * 28 * channels];
        for (var i = 0; i < count; i++)
        {
            var label = labels[i];
            var data = new float[28 * 28 * channels];
            for (var p = 0; p < 28 * 28; p++)
            {
                var v = pixels[i * 784 + p] / 255f;
                for (var c = 0; c < channels; c++)
                    data[p * channels + c] = channels == 1 ? v : Tint(v, label, c);
            }
            builder.Things.Add(new TestThing($"fashion{i}.png", $"c{label}-{label * 7919 % 1000:000}", "Training", data, 28, 28, channels));
            data.CopyTo(images, i * data.Length);
        }
        var path = Path.Combine(folder.Path, "fashion.zip");
        builder.Write(path);
        return (path, new Originals(images, [.. labels.Take(count).Select(l => (long)l)], 28, 28, channels));
    }

    /// <summary>An 8-bit value of channel <paramref name="c"/>: the grey value scaled by a per-class weight, in [0, 1].</summary>
    private static float Tint(float grey, int label, int c) =>
        MathF.Round(grey * (0.4f + 0.6f * ((label * 3 + c * 5) % 7) / 6f) * 255f) / 255f;

    private static string ProjectSweep(string name, string project) => $"""
        name: {name}
        dataset: {"{"}kind: piximi, images: "{project}", training_percentage: 0.75{"}"}
        parameters: {"{"}optimizer: Adam, learning_rate: 0.01, batch_size: 32, epochs: 2, seed: 3{"}"}
        """;
}
