namespace Piximi.Sweep.Core.Tests;

public sealed class The_sweep_json : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_parsed_definition_survives_serialize_then_deserialize()
    {
        var yaml = """
            name: round-trip
            dataset:
              kind: idx
              images: images.gz
              labels: labels.gz
              training_percentage: 0.9
              subset: 500
            metric: loss
            parameters:
              optimizer: [RMSProp, Adam]
              loss: [Huber, Log]
              learning_rate: {from: 0.0003, to: 0.3}
              batch_size: [8, 24]
              epochs: {max: 30, time_budget: 1h30m}
              seed: [3, 1]
            """;
        var original = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath()).Definition;

        var copy = SweepJson.Deserialize(SweepJson.Serialize(original));

        Assert.Equal(original.Name, copy.Name);
        Assert.Equal(original.Dataset, copy.Dataset);
        Assert.Equal(original.Model, copy.Model);
        Assert.Equal(original.Metric, copy.Metric);
        Assert.Equal(original.Parameters.Optimizers, copy.Parameters.Optimizers);
        Assert.Equal(original.Parameters.Losses, copy.Parameters.Losses);
        Assert.Equal(original.Parameters.LearningRates, copy.Parameters.LearningRates);
        Assert.Equal(original.Parameters.BatchSizes, copy.Parameters.BatchSizes);
        Assert.Equal(original.Parameters.Epochs, copy.Parameters.Epochs);
        Assert.Equal(TimeSpan.FromMinutes(90), copy.Parameters.TimeBudget);
        Assert.Equal(original.Parameters.Seeds, copy.Parameters.Seeds);
        // The same definition gives the same grid, which is what lets a stored sweep be resumed.
        Assert.Equal(Grid.Expand(original.Parameters), Grid.Expand(copy.Parameters));
        Assert.Equal(SweepJson.Serialize(original), SweepJson.Serialize(copy));
    }

    [Fact]
    public void The_description_is_stored_but_rewording_it_keeps_the_same_sweep()
    {
        var first = SweepFile.Parse(LocalDisk.Instance, "description: first try\n" + Sweeps.Minimal, _folder.SweepPath());
        var second = SweepFile.Parse(LocalDisk.Instance, "description: same grid, better words\n" + Sweeps.Minimal, _folder.SweepPath());
        var none = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath());

        Assert.Equal("first try", SweepJson.Deserialize(SweepJson.Serialize(first.Definition)).Description);
        Assert.True(SweepJson.SameSweep(SweepJson.Serialize(first.Definition), second.Definition));
        Assert.True(SweepJson.SameSweep(SweepJson.Serialize(none.Definition), first.Definition));
        Assert.DoesNotContain("description", SweepJson.Serialize(none.Definition), StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_and_random_definitions_are_stored_exactly_as_before_pruners_and_tpe_existed()
    {
        // A store recognises a sweep by its definition's JSON: a change here would make every stored sweep a new one.
        var grid = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nparameters:\n  optimizer: [Adam, RMSProp]\n  epochs: 3\n", _folder.SweepPath());
        var random = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nmethod: random\nsampler_seed: 2\ntrials: 4\n", _folder.SweepPath());

        Assert.Equal(GridJson, SweepJson.Serialize(grid.Definition).Replace(_folder.Root, "ROOT", StringComparison.Ordinal));
        Assert.Equal(RandomJson, SweepJson.Serialize(random.Definition).Replace(_folder.Root, "ROOT", StringComparison.Ordinal));
    }

    private const string GridJson = """
        {"name":"sweep","dataset":{"kind":"idx","images":"ROOT/images.gz","labels":"ROOT/labels.gz","training_percentage":0.75,"subset":null},"model":"SimpleCNN","metric":"val_accuracy","parameters":{"optimizers":["Adam","RMSProp"],"losses":["CategoricalCrossEntropy"],"learning_rates":[0.01],"batch_sizes":[32],"epochs":[3],"time_budget":null,"seeds":[0]}}
        """;

    private const string RandomJson = """
        {"name":"sweep","dataset":{"kind":"idx","images":"ROOT/images.gz","labels":"ROOT/labels.gz","training_percentage":0.75,"subset":null},"model":"SimpleCNN","metric":"val_accuracy","parameters":{"optimizers":["Adam"],"losses":["CategoricalCrossEntropy"],"learning_rates":[0.01],"batch_sizes":[32],"epochs":[10],"time_budget":null,"seeds":[0]},"method":"Random","sampler_seed":2,"trials":4}
        """;

    /// <summary>
    /// What validation found in the data is kept with the definition but is not part of its identity: a sweep stored
    /// before the facts were kept (or with other facts) is the same sweep when its file runs again.
    /// </summary>
    [Fact]
    public void Dataset_facts_round_trip_but_do_not_change_which_sweep_it_is()
    {
        var definition = SweepFile.Parse(LocalDisk.Instance, "name: identity\ndataset: {kind: idx, images: images.gz, labels: labels.gz}\n", _folder.SweepPath()).Definition;
        var withFacts = definition with { Dataset = definition.Dataset with { Facts = new DatasetFacts(new InputShape(28, 28, 1), 60_000, 0) } };

        Assert.Equal(withFacts.Dataset.Facts, SweepJson.Deserialize(SweepJson.Serialize(withFacts)).Dataset.Facts);
        Assert.DoesNotContain("\"facts\"", SweepJson.Serialize(definition), StringComparison.Ordinal);
        Assert.True(SweepJson.SameSweep(SweepJson.Serialize(definition), withFacts));
        Assert.True(SweepJson.SameSweep(SweepJson.Serialize(withFacts), definition with { Dataset = definition.Dataset with { Facts = new DatasetFacts(new InputShape(20, 20, 1), 5, 1) } }));
        Assert.False(SweepJson.SameSweep(SweepJson.Serialize(withFacts), definition with { Dataset = definition.Dataset with { TrainingPercentage = 0.5 } }));
    }

    [Fact]
    public void The_differences_of_two_definitions_name_each_changed_field_with_both_values()
    {
        var stored = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nparameters:\n  learning_rate: [0.001, 0.003]\n  seed: 1\n", _folder.SweepPath()).Definition;
        var file = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nmetric: val_loss\nparameters:\n  learning_rate: [0.001, 0.01]\n  seed: 1\n", _folder.SweepPath()).Definition;

        Assert.Equal(
        [
            "metric: val_accuracy in the store; val_loss in the file",
            "parameters.learning_rates: 0.001, 0.003 in the store; 0.001, 0.01 in the file",
        ], SweepJson.Differences(stored, file));
        Assert.Empty(SweepJson.Differences(stored, stored with { Description = "reworded" }));
    }
}
