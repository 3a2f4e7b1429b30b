using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

public sealed class A_sweep_over_models
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// IDX files of <paramref name="count"/> synthetic 64×64 images of 2 classes (MobileNet needs at least 63×63 on one
    /// channel: its channel adapter and conv1 each halve the image; Fashion-MNIST's 28×28 is too small for it).
    /// </summary>
    private static (string Images, string Labels) Halves(TestFolder folder, int count)
    {
        const int side = 64;
        var random = new Random(2);
        var images = new byte[16 + count * side * side];
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), side);
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (var i = 0; i < count; i++)
        {
            labels[8 + i] = (byte)(i % 2);
            for (var p = 0; p < side * side; p++)
                images[16 + i * side * side + p] = (byte)(random.Next(128) + ((p % side < side / 2) == (i % 2 == 0) ? 127 : 0));
        }
        var imagesPath = Path.Combine(folder.Path, "halves-images-idx3-ubyte");
        var labelsPath = Path.Combine(folder.Path, "halves-labels-idx1-ubyte");
        File.WriteAllBytes(imagesPath, images);
        File.WriteAllBytes(labelsPath, labels);
        return (imagesPath, labelsPath);
    }

    [Fact]
    public async Task Trains_each_trial_with_its_own_model_and_shows_which()
    {
        using var folder = new TestFolder();
        var (images, labels) = Halves(folder, 64);
        var file = folder.Write("models.yaml", $"""
            name: models
            dataset:
              kind: idx
              images: {images}
              labels: {labels}
              training_percentage: 0.75
            parameters:
              model: [SimpleCNN, MobileNet]
              optimizer: Adam
              learning_rate: 0.01
              batch_size: 16
              epochs: 1
              seed: 1
            """);

        var validate = await Cli.RunAsync("validate", file);
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("Model: SimpleCNN, MobileNet;", validate.Output);
        Assert.Contains("Grid: 2 trials = model 2 × optimizer 1", validate.Output);

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("started on", result.Output);
        Assert.Contains(": MobileNet, Adam, CategoricalCrossEntropy", result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("models")!;
        var summaries = store.SummarizeTrials(sweep.Id);
        Assert.Equal([ModelKind.SimpleCNN, ModelKind.MobileNet], summaries.Select(s => s.Trial.Hyperparameters.Model));
        Assert.All(summaries, s =>
        {
            Assert.Equal(TrialState.Completed, s.Trial.State);
            Assert.True(s.Final is { } f && double.IsFinite(f.ValLoss), $"trial {s.Trial.Number}: {s.Final}");
        });

        var trials = await Cli.RunAsync("trials", "--db", folder.Db);
        Assert.True(trials.ExitCode == 0, trials.ToString());
        Assert.Matches(@"(?m)^\s*trial\s+state\s+model\s+optimizer", trials.Output);
        Assert.Matches(@"(?m)^\s*2\s+completed\s+MobileNet\s+Adam", trials.Output);
    }

    /// <summary>What TF.js makes of the export is tested in the training tests (Export/MobileNetExportTests.cs).</summary>
    [Fact]
    public async Task Exports_a_MobileNet_trial_as_a_TensorFlow_js_model()
    {
        using var folder = new TestFolder();
        var (images, labels) = Halves(folder, 32);
        var file = folder.Write("mobile.yaml", $"""
            name: mobile
            dataset:
              kind: idx
              images: {images}
              labels: {labels}
              training_percentage: 0.75
            parameters:
              model: MobileNet
              optimizer: Adam
              learning_rate: 0.01
              batch_size: 8
              epochs: 1
              seed: 1
            """);
        var run = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");
        Assert.True(run.ExitCode == 0, run.ToString());

        var export = await Cli.RunAsync("export", "mobile", "--model", "--db", folder.Db);

        Assert.True(export.ExitCode == 0, export.ToString());
        var model = Path.Combine(folder.Path, "results", "mobile-model");
        Assert.Contains("Wrote trial 1's MobileNet (after epoch 1) for Piximi's Load Model → Upload Local, as 'mobile-trial1':", export.Output);
        Assert.Contains("Input 64×64×1, 2 classes: 0, 1", export.Output);
        var layers = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "mobile-trial1.json")))!["modelTopology"]!["config"]!["layers"]!.AsArray();
        Assert.Equal("input_adapter", layers[0]!["config"]!["name"]!.GetValue<string>());
        Assert.Equal("act_softmax", layers[^1]!["config"]!["name"]!.GetValue<string>());
    }
}
