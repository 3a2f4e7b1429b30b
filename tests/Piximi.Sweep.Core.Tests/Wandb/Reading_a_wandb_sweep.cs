namespace Piximi.Sweep.Core.Tests;

/// <summary>W&amp;B sweep configurations: what each field becomes.</summary>
public sealed class Reading_a_wandb_sweep : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A W&amp;B file: the given lines, then the piximi: section that names the test folder's dataset.</summary>
    internal const string Piximi = """
        piximi:
          dataset:
            kind: idx
            images: images.gz
            labels: labels.gz
        """;

    private LoadedSweep Read(string yaml, SweepFileOptions? options = null) =>
        SweepFile.Parse(LocalDisk.Instance, yaml + "\n" + Piximi + "\n", _folder.SweepPath("wb.yaml"), options: options ?? Sweeps.Flags);

    [Fact]
    public void A_grid_over_values_expands_every_combination_with_the_usual_spellings_mapped_to_piximis_names()
    {
        var sweep = Read("""
            method: grid
            parameters:
              optimizer: {values: [sgd, momentum, rmsprop, adam, adamax, adagrad, adadelta]}
              loss: {values: [cross_entropy, mean_squared_error, hinge, huber]}
            """);

        var space = sweep.Definition.Parameters;
        Assert.Equal(SearchMethod.Grid, sweep.Definition.Method);
        Assert.Equal(
            [OptimizerKind.StochasticGradientDescent, OptimizerKind.Momentum, OptimizerKind.RMSProp, OptimizerKind.Adam, OptimizerKind.Adamax, OptimizerKind.Adagrad, OptimizerKind.Adadelta],
            space.Optimizers);
        Assert.Equal([LossKind.CategoricalCrossEntropy, LossKind.MeanSquaredError, LossKind.Hinge, LossKind.Huber], space.Losses);
        Assert.Equal(7 * 4, sweep.Trials.Count);
        Assert.Equal("wb", sweep.Definition.Name); // no name: the file's
    }

    [Fact]
    public void Categorical_crossentropy_is_piximis_categorical_cross_entropy()
    {
        var sweep = Read("method: grid\nparameters:\n  loss: {value: categorical_crossentropy}\n");
        Assert.Equal([LossKind.CategoricalCrossEntropy], sweep.Definition.Parameters.Losses);
    }

    [Fact]
    public void Lr_learning_rate_batch_size_epochs_and_seed_map_to_piximis_hyperparameters()
    {
        var sweep = Read("""
            method: grid
            parameters:
              lr: {values: [0.001, 0.01]}
              batch_size: {values: [16, 64]}
              epochs: {value: 3}
              seed: {values: [1, 2]}
            """);

        var space = sweep.Definition.Parameters;
        Assert.Equal([0.001, 0.01], space.LearningRates);
        Assert.Equal([16, 64], space.BatchSizes);
        Assert.Equal([3], space.Epochs);
        Assert.Equal([1, 2], space.Seeds);
        Assert.Equal(8, sweep.Trials.Count);

        var spelledOut = Read("method: grid\nparameters:\n  learning_rate: {value: 0.03}\n");
        Assert.Equal([0.03], spelledOut.Definition.Parameters.LearningRates);
    }

    [Fact]
    public void Random_draws_run_cap_trials_up_front_exactly_as_the_native_random_search_does()
    {
        var sweep = Read("""
            method: random
            run_cap: 12
            parameters:
              optimizer: {values: [adam, rmsprop]}
              lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
              batch_size: {values: [16, 32, 64]}
            """);
        var native = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + """

            method: random
            trials: 12
            parameters:
              optimizer: [Adam, RMSProp]
              learning_rate: [0.001, 0.1]
              batch_size: [16, 32, 64]
            """, _folder.SweepPath());

        Assert.Equal((SearchMethod.Random, (int?)12), (sweep.Definition.Method, sweep.Definition.Trials));
        Assert.Equal(LearningRateDistribution.LogUniform, sweep.Definition.Parameters.LearningRateDistribution);
        Assert.Equal(native.Trials, sweep.Trials);
    }

    [Fact]
    public void Bayes_becomes_tpe_with_run_cap_trials_proposed_at_run_time_and_a_note_saying_so()
    {
        var sweep = Read("method: bayes\nrun_cap: 30\nmetric: {name: val_loss, goal: minimize}\nparameters:\n  lr: {min: 0.001, max: 0.1}\n");

        Assert.Equal((SearchMethod.Tpe, (int?)30), (sweep.Definition.Method, sweep.Definition.Trials));
        Assert.Empty(sweep.Trials);
        Assert.Contains(sweep.Notes, n => n.Contains("method: bayes runs as TPE", StringComparison.Ordinal));
    }

    [Fact]
    public void Uniform_learning_rates_are_drawn_uniformly_and_min_max_with_decimals_mean_uniform()
    {
        var named = Read("method: random\nrun_cap: 5\nparameters:\n  lr: {distribution: uniform, min: 0.01, max: 0.5}\n");
        var inferred = Read("method: random\nrun_cap: 5\nparameters:\n  lr: {min: 0.01, max: 0.5}\n");

        foreach (var sweep in new[] { named, inferred })
        {
            Assert.Equal(LearningRateDistribution.Uniform, sweep.Definition.Parameters.LearningRateDistribution);
            Assert.Equal([0.01, 0.5], sweep.Definition.Parameters.LearningRates);
        }
        Assert.Equal(named.Trials, inferred.Trials);
    }

    [Fact]
    public void Listed_learning_rates_in_a_random_search_are_drawn_from_the_list_only()
    {
        var sweep = Read("method: random\nrun_cap: 30\nparameters:\n  lr: {distribution: categorical, values: [0.001, 0.01, 0.1]}\n");

        Assert.Equal(LearningRateDistribution.Values, sweep.Definition.Parameters.LearningRateDistribution);
        Assert.All(sweep.Trials, t => Assert.Contains(t.LearningRate, new[] { 0.001, 0.01, 0.1 }));
    }

    [Fact]
    public void Log_uniform_takes_natural_log_bounds()
    {
        var sweep = Read("method: random\nrun_cap: 5\nparameters:\n  lr: {distribution: log_uniform, min: -6.907755279, max: -2.302585093}\n");

        var rates = sweep.Definition.Parameters.LearningRates;
        Assert.Equal(0.001, rates[0], 1e-9);
        Assert.Equal(0.1, rates[1], 1e-9);
        Assert.Equal(LearningRateDistribution.LogUniform, sweep.Definition.Parameters.LearningRateDistribution);
    }

    [Fact]
    public void Int_uniform_and_whole_min_max_become_the_list_of_whole_numbers_between()
    {
        var named = Read("method: random\nrun_cap: 5\nparameters:\n  epochs: {distribution: int_uniform, min: 2, max: 6}\n");
        var inferred = Read("method: grid\nparameters:\n  batch_size: {min: 30, max: 33}\n");

        Assert.Equal([2, 3, 4, 5, 6], named.Definition.Parameters.Epochs);
        Assert.Equal([30, 31, 32, 33], inferred.Definition.Parameters.BatchSizes);
        Assert.Equal(4, inferred.Trials.Count);
    }

    [Fact]
    public void Metric_name_spellings_map_to_the_recorded_metrics_and_the_goal_is_checked()
    {
        foreach (var (written, goal, metric) in new[]
                 {
                     ("val_acc", "maximize", "val_accuracy"), ("validation_accuracy", "maximize", "val_accuracy"),
                     ("val/loss", "minimize", "val_loss"), ("train_acc", "maximize", "accuracy"), ("train_loss", "minimize", "loss"),
                 })
        {
            var sweep = Read($"method: grid\nmetric: {{name: {written}, goal: {goal}}}\nparameters:\n  epochs: {{value: 1}}\n");
            Assert.Equal(metric, sweep.Definition.Metric);
        }
    }

    [Fact]
    public void Without_a_metric_trials_are_ranked_by_val_accuracy_and_a_note_says_so()
    {
        var sweep = Read("method: grid\nparameters:\n  epochs: {value: 1}\n");
        Assert.Equal(MetricNames.ValAccuracy, sweep.Definition.Metric);
        Assert.Contains(sweep.Notes, n => n.Contains("metric: not given", StringComparison.Ordinal));
    }

    [Fact]
    public void Early_terminate_hyperband_becomes_the_hyperband_pruner()
    {
        var sweep = Read("method: grid\nearly_terminate: {type: hyperband, min_iter: 2, eta: 2}\nparameters:\n  epochs: {value: 8}\n");
        Assert.Equal(new PrunerSpec(PrunerKind.Hyperband) { MinEpochs = 2, ReductionFactor = 2 }, sweep.Definition.Pruner);

        var defaultEta = Read("method: grid\nearly_terminate: {type: hyperband, min_iter: 1}\nparameters:\n  epochs: {value: 8}\n");
        Assert.Equal(3, defaultEta.Definition.Pruner!.ReductionFactor);
    }

    [Fact]
    public void Early_terminate_with_max_iter_and_s_derives_the_first_rung()
    {
        var sweep = Read("method: grid\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  epochs: {value: 27}\n");
        Assert.Equal(3, sweep.Definition.Pruner!.MinEpochs);
        Assert.Contains(sweep.Notes, n => n.Contains("the first rung is at 3 epochs", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_cap_with_the_grid_is_a_budget_not_a_change_of_the_sweep()
    {
        var sweep = Read("method: grid\nrun_cap: 3\nparameters:\n  lr: {values: [0.001, 0.01, 0.1, 0.3]}\n");

        Assert.Equal(4, sweep.Trials.Count);
        Assert.Null(sweep.Definition.Trials);
        Assert.Equal(3, sweep.Budget.MaxTrials);
    }

    [Fact]
    public void Name_description_and_the_piximi_sections_model_and_sampler_seed_are_taken()
    {
        var sweep = SweepFile.Parse(LocalDisk.Instance, """
            name: my-wandb-sweep
            description: from W&B
            method: random
            run_cap: 4
            parameters:
              lr: {min: 0.001, max: 0.1}
            piximi:
              dataset: {kind: idx, images: images.gz, labels: labels.gz, training_percentage: 0.8, subset: 500}
              model: simplecnn
              sampler_seed: 9
            """, _folder.SweepPath());

        Assert.Equal("my-wandb-sweep", sweep.Definition.Name);
        Assert.Equal("from W&B", sweep.Definition.Description);
        Assert.Equal(ModelKind.SimpleCNN, sweep.Definition.Model);
        Assert.Equal(9, sweep.Definition.SamplerSeed);
        Assert.Equal(new DatasetSpec("idx", _folder.Images, _folder.Labels, 0.8, 500), sweep.Definition.Dataset);
    }

    [Fact]
    public void The_dataset_option_supplies_a_folders_training_files_and_overrides_the_piximi_section()
    {
        var data = Path.Combine(_folder.Root, "data");
        _folder.Write("data/train-images-idx3-ubyte.gz", "x");
        _folder.Write("data/train-labels-idx1-ubyte", "x");

        var bare = SweepFile.Parse(LocalDisk.Instance, "method: grid\nparameters:\n  epochs: {value: 1}\n", _folder.SweepPath(), options: Sweeps.Flags with { Dataset = data, Model = "SimpleCNN" });
        Assert.Equal(Path.Combine(data, "train-images-idx3-ubyte.gz"), bare.Definition.Dataset.Images);
        Assert.Equal(Path.Combine(data, "train-labels-idx1-ubyte"), bare.Definition.Dataset.Labels);

        var overridden = Read("method: grid\nparameters:\n  epochs: {value: 1}\n", Sweeps.Flags with { Dataset = data });
        Assert.Equal(Path.Combine(data, "train-images-idx3-ubyte.gz"), overridden.Definition.Dataset.Images);
        Assert.Contains(overridden.Notes, n => n.Contains("--dataset", StringComparison.Ordinal));
    }

    [Fact]
    public void Agent_keys_such_as_program_command_and_project_are_noted_and_ignored()
    {
        var sweep = Read("program: train.py\ncommand: [python, train.py]\nproject: p\nentity: e\nmethod: grid\nparameters:\n  epochs: {value: 1}\n");

        foreach (var key in new[] { "program", "command", "project", "entity" })
            Assert.Contains(sweep.Notes, n => n.Contains($"wb.yaml:", StringComparison.Ordinal) && n.Contains($": {key}: W&B's '{key}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parameters_left_out_take_the_defaults_and_a_note_lists_them()
    {
        var sweep = Read("method: grid\nparameters:\n  lr: {value: 0.01}\n");
        Assert.Equal([OptimizerKind.Adam], sweep.Definition.Parameters.Optimizers);
        Assert.Contains(sweep.Notes, n => n.Contains("optimizer Adam, loss CategoricalCrossEntropy, batch_size 32, epochs 10", StringComparison.Ordinal));
    }

    [Fact]
    public void A_native_file_is_still_read_as_native_and_a_grid_definition_is_stored_as_before()
    {
        var native = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath());
        Assert.Empty(native.Notes);

        var wandb = Read("method: grid\nparameters:\n  lr: {values: [0.001, 0.01]}\n");
        Assert.DoesNotContain("distribution", SweepJson.Serialize(wandb.Definition));
    }
}
