namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_pruner : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The minimal file with trials of up to <paramref name="epochs"/> epochs; the pruner starts at line 7.</summary>
    private string Yaml(string pruner, string epochs = "9") =>
        Sweeps.Minimal + $"\nparameters:\n  epochs: {epochs}\npruner:{pruner}\n";

    private LoadedSweep Read(string pruner, string epochs = "9") => SweepFile.Parse(LocalDisk.Instance, Yaml(pruner, epochs), _folder.SweepPath());

    private IReadOnlyList<SweepFileError> Refuse(string pruner, string epochs = "9") =>
        Sweeps.Refuse(Yaml(pruner, epochs), _folder.SweepPath());

    // ----- accepted -----

    [Theory]
    [InlineData("asha", PrunerKind.Asha)]
    [InlineData("hyperband", PrunerKind.Hyperband)]
    [InlineData("median", PrunerKind.Median)]
    [InlineData("ASHA", PrunerKind.Asha)]
    public void A_type_alone_is_that_pruner_with_its_default_settings(string written, PrunerKind kind)
    {
        var pruner = Read($" {written}").Definition.Pruner;

        Assert.Equal(new PrunerSpec(kind), pruner);
        Assert.Equal((1, 3, 1, 5), (pruner!.MinEpochs, pruner.ReductionFactor, pruner.WarmupEpochs, pruner.MinTrials));
    }

    [Fact]
    public void None_is_no_pruner_and_stores_the_same_definition_as_leaving_it_out()
    {
        var none = Read(" none");
        var without = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nparameters:\n  epochs: 9\n", _folder.SweepPath());

        Assert.Null(none.Definition.Pruner);
        Assert.Equal(SweepJson.Serialize(without.Definition), SweepJson.Serialize(none.Definition));
        Assert.DoesNotContain("pruner", SweepJson.Serialize(without.Definition), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_gives_asha_its_first_rung_and_reduction_factor()
    {
        var pruner = Read(" {type: asha, min_epochs: 2, reduction_factor: 2}").Definition.Pruner;

        Assert.Equal(new PrunerSpec(PrunerKind.Asha) { MinEpochs = 2, ReductionFactor = 2 }, pruner);
    }

    [Fact]
    public void A_block_mapping_gives_hyperband_its_settings()
    {
        var pruner = Read("\n  type: hyperband\n  min_epochs: 1\n  reduction_factor: 10\n").Definition.Pruner;

        Assert.Equal(new PrunerSpec(PrunerKind.Hyperband) { MinEpochs = 1, ReductionFactor = 10 }, pruner);
    }

    [Fact]
    public void A_mapping_gives_the_median_rule_its_warm_up_and_minimum_of_trials()
    {
        var pruner = Read(" {type: median, warmup_epochs: 0, min_trials: 1}").Definition.Pruner;

        Assert.Equal(new PrunerSpec(PrunerKind.Median) { WarmupEpochs = 0, MinTrials = 1 }, pruner);
    }

    [Fact]
    public void A_pruner_goes_with_an_epoch_time_budget_whose_max_is_the_most_epochs()
    {
        var pruner = Read(" {type: asha, min_epochs: 8}", epochs: "{max: 9, time_budget: 20m}").Definition.Pruner;

        Assert.Equal(8, pruner!.MinEpochs);
    }

    [Fact]
    public void The_pruner_is_part_of_the_stored_definition_and_read_back_the_same()
    {
        var definition = Read(" {type: hyperband, min_epochs: 2, reduction_factor: 2}").Definition;
        var json = SweepJson.Serialize(definition);

        Assert.Contains("\"pruner\":{\"kind\":\"Hyperband\"", json, StringComparison.Ordinal);
        Assert.Equal(definition.Pruner, SweepJson.Deserialize(json).Pruner);
        Assert.NotEqual(json, SweepJson.Serialize(Read(" asha").Definition));
    }

    // ----- refused -----

    [Fact]
    public void An_unknown_type_is_refused_with_the_closest_one()
    {
        Sweeps.Only(Refuse(" sha"), "pruner", 7, 9, "unknown pruner 'sha'", "did you mean 'asha'?", "allowed: asha, hyperband, median, none");
        Sweeps.Only(Refuse(" {type: medain}"), "pruner.type", 7, 16, "unknown pruner 'medain'", "did you mean 'median'?");
    }

    [Fact]
    public void A_pruner_with_no_value_or_a_list_is_refused()
    {
        Sweeps.Only(Refuse(""), "pruner", 7, 8, "no value given", "asha, hyperband, median or none");
        Sweeps.Only(Refuse(" [asha, median]"), "pruner", 7, 9, "found a list", "{type: asha, min_epochs: 1, reduction_factor: 3}");
    }

    [Fact]
    public void A_mapping_without_a_type_is_refused_at_the_mapping()
    {
        Sweeps.Only(Refuse(" {min_epochs: 1}"), "pruner.type", 7, 9, "missing", "allowed: asha, hyperband, median, none");
    }

    [Fact]
    public void A_setting_of_another_type_is_refused_at_its_key_naming_the_type_that_takes_it()
    {
        var errors = Refuse("\n  type: median\n  min_epochs: 2\n  reduction_factor: 3\n  min_trials: 3\n");

        Sweeps.Single(errors, "pruner.min_epochs", 9, 3,
            "min_epochs is a setting of asha and hyperband, not of median", "allowed: type, warmup_epochs, min_trials (with median)");
        Sweeps.Single(errors, "pruner.reduction_factor", 10, 3, "reduction_factor is a setting of asha and hyperband");
        Assert.Equal(2, errors.Count);

        Sweeps.Only(Refuse("\n  type: asha\n  warmup_epochs: 2\n"), "pruner.warmup_epochs", 9, 3,
            "warmup_epochs is a setting of median, not of asha");
        Sweeps.Only(Refuse("\n  type: none\n  min_trials: 2\n"), "pruner.min_trials", 9, 3,
            "min_trials is a setting of median, not of none", "allowed: only type");
    }

    [Theory]
    [InlineData("1", "1 is out of range")]
    [InlineData("11", "11 is out of range")]
    [InlineData("2.5", "2.5 is not a whole number")]
    [InlineData("three", "'three' is not a number")]
    public void A_reduction_factor_outside_2_to_10_is_refused(string written, string message)
    {
        var errors = Refuse($"\n  type: asha\n  reduction_factor: {written}\n");

        Sweeps.Only(errors, "pruner.reduction_factor", 9, 21, message, "allowed: a whole number from 2 to 10");
    }

    [Fact]
    public void A_first_rung_not_below_the_most_epochs_is_refused_naming_them()
    {
        var errors = Refuse("\n  type: hyperband\n  min_epochs: 9\n", epochs: "[3, 9]");

        Sweeps.Only(errors, "pruner.min_epochs", 9, 15,
            "9 is not below the most epochs a trial runs (9, from parameters.epochs), so there would be nothing to prune",
            "allowed: a whole number from 1 to 8");
        Sweeps.Only(Refuse(" {type: asha, min_epochs: 0}"), "pruner.min_epochs", 7, 34, "0 is out of range", "≥ 1");
    }

    [Fact]
    public void The_default_first_rung_is_refused_at_the_type_when_trials_run_one_epoch()
    {
        var errors = Refuse(" asha", epochs: "1");

        Sweeps.Only(errors, "pruner.min_epochs", 7, 9, "the default min_epochs 1 is not below the most epochs a trial runs (1",
            "give parameters.epochs more than 1, or pruner: none");
    }

    [Fact]
    public void The_median_rule_refuses_a_negative_warm_up_a_warm_up_that_outlasts_the_trials_and_zero_trials()
    {
        Sweeps.Only(Refuse(" {type: median, warmup_epochs: -1}"), "pruner.warmup_epochs", 7, 39, "-1 is out of range", "≥ 0");
        Sweeps.Only(Refuse(" {type: median, warmup_epochs: 9}"), "pruner.warmup_epochs", 7, 39,
            "9 is not below the most epochs a trial runs (9", "no trial would ever be judged", "from 0 to 8");
        Sweeps.Only(Refuse(" {type: median, min_trials: 0}"), "pruner.min_trials", 7, 36, "0 is out of range", "a whole number ≥ 1");
    }

    [Fact]
    public void An_unknown_pruner_key_suggests_the_closest_and_every_problem_is_reported_at_once()
    {
        var errors = Refuse("\n  type: asha\n  min_epoch: 2\n  reduction_factor: 20\n");

        Sweeps.Single(errors, "pruner.min_epoch", 9, 3, "unknown key 'min_epoch'", "did you mean 'min_epochs'?");
        Sweeps.Single(errors, "pruner.reduction_factor", 10, 21, "20 is out of range");
        Assert.Equal(2, errors.Count);
    }
}

public sealed class A_pruned_grid
{
    private static LoadedSweep Load(string extra) => SweepFile.Parse(LocalDisk.Instance, 
        "dataset: {kind: idx, images: /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz, labels: /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz}\n"
        + "parameters: {optimizer: [Adam, RMSProp, Adadelta], learning_rate: [0.001, 0.01, 0.1], batch_size: [32, 64], epochs: 9}\n"
        + extra + "\n", "/tmp/grid.yaml");

    [Fact]
    public void Runs_every_point_of_the_grid_once_in_an_order_shuffled_by_the_sampler_seed()
    {
        var plain = Load("");
        var pruned = Load("pruner: asha");
        var again = Load("pruner: asha");
        var otherSeed = Load("pruner: asha\nsampler_seed: 1");

        Assert.Equal(plain.Trials.OrderBy(Key), pruned.Trials.OrderBy(Key));
        Assert.NotEqual(plain.Trials, pruned.Trials);
        Assert.Equal(pruned.Trials, again.Trials);
        Assert.NotEqual(pruned.Trials, otherSeed.Trials);
    }

    private static string Key(Hyperparameters hp) => $"{hp.Optimizer}/{hp.LearningRate}/{hp.BatchSize}";
}
