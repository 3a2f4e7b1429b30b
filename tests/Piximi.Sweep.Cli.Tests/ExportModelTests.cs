using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// <c>export --model</c>: the best trial's trained SimpleCNN as a TensorFlow.js model (what TF.js makes of it is
/// tested in the training tests, Export/TfjsExportTests.cs), and the refusals around it.
/// </summary>
public sealed class The_export_model_command
{
    /// <summary>
    /// Sweep <paramref name="name"/> with two trials trained for real for one epoch on 200 Fashion-MNIST images, both
    /// completed; trial 2's checkpoint deleted, as the store does to every finished trial but the best.
    /// </summary>
    private static void Store(TestFolder folder, string name)
    {
        var loaded = SweepFile.Parse(LocalDisk.Instance, TestFolder.SmallSweep(name, 200, ("learning_rate", "[0.01, 0.003]"), ("batch_size", "32")),
            Path.Combine(folder.Path, $"{name}.yaml"));
        TorchRuntime.Initialize(1);
        using var data = ImageDataset.Load(loaded.Definition.Dataset);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
        for (var t = 0; t < 2; t++)
        {
            var trial = store.ClaimNext(sweep.Id, "test:1")!;
            var lease = TrialLease.Of(trial);
            var outcome = Trainer.Train(data, loaded.Definition, trial.Hyperparameters, "cpu", null, result =>
            {
                // Trial 1 must be the best whatever the real accuracies: report trial 2 lower.
                var metrics = t == 0 ? result.Metrics with { ValAccuracy = 0.9 } : result.Metrics with { ValAccuracy = 0.1 };
                store.RecordEpoch(lease, metrics, t == 0 ? result.Checkpoint : null);
            }, CancellationToken.None);
            store.RecordEvaluation(lease, new TrialEvaluation(trial.Id, data.ClassNames, outcome.Confusion));
            store.Finish(lease, outcome.State, outcome.Message);
        }
    }

    [Fact]
    public async Task Writes_the_best_trials_model_json_weights_and_classes_and_refuses_what_it_cannot_export()
    {
        using var folder = new TestFolder();
        Store(folder, "winner");

        var best = await Cli.RunAsync("export", "winner", "--model", "--db", folder.Db);
        var gone = await Cli.RunAsync("export", "winner", "--trial", "2", "--model", "--db", folder.Db);
        var neither = await Cli.RunAsync("export", "winner", "--db", folder.Db);
        var both = await Cli.RunAsync("export", "winner", "--model", "--piximi", "--db", folder.Db);

        Assert.True(best.ExitCode == 0, best.ToString());
        var model = Path.Combine(folder.Path, "results", "winner-model");
        Assert.Contains("Wrote trial 1's SimpleCNN (after epoch 1) for Piximi's Load Model → Upload Local, as 'winner-trial1':", best.Output);
        Assert.Contains($"  {model}.zip   (one file to choose)", best.Output);
        Assert.Contains($"  {Path.Combine(model, "winner-trial1.json")} and winner-trial1.weights.bin   (or choose these two together)", best.Output);
        Assert.Contains("Input 28×28×1, 10 classes: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9", best.Output);
        Assert.Contains("keep \"Create new categories from model classes?\" ticked", best.Output);
        Assert.Equal([Path.Combine(model, "winner-trial1.json"), Path.Combine(model, "winner-trial1.weights.bin")], Directory.GetFiles(model).Order());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "winner-trial1.json")))!;
        Assert.Equal("layers-model", json["format"]!.GetValue<string>());
        Assert.Equal(32, json["preprocessSettings"]!["batchSize"]!.GetValue<int>());
        Assert.Equal("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", json["classes"]!.ToJsonString());
        Assert.Equal(0.01, json["optimizerSettings"]!["learningRate"]!.GetValue<double>());
        Assert.Equal((200 + 8 + 3200 + 16 + 2560 + 10) * 4, new FileInfo(Path.Combine(model, "winner-trial1.weights.bin")).Length);
        Assert.True(File.Exists(model + ".zip"));

        Assert.Equal(2, gone.ExitCode);
        Assert.Contains("trial 2's trained model is gone: a sweep keeps only its best completed trial's model (trial 1)", gone.Error);
        Assert.Contains("Export that one (leave out --trial)", gone.Error);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("give exactly one of --piximi", neither.Error);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give exactly one of --piximi", both.Error);
    }
}
