namespace Piximi.Sweep.Core.Tests;

/// <summary>W&amp;B sweep configurations: what is refused, where, and why; and what --ignore-unknown turns into notes.</summary>
public sealed class Refusing_a_wandb_sweep : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private IReadOnlyList<SweepFileError> Refuse(string yaml, SweepFileOptions? options = null) =>
        Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, yaml + "\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath("wb.yaml"), options: options ?? Sweeps.Flags)).Errors;

    private LoadedSweep Read(string yaml, SweepFileOptions? options = null) =>
        SweepFile.Parse(LocalDisk.Instance, yaml + "\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath("wb.yaml"), options: options ?? Sweeps.Flags);

    private static readonly SweepFileOptions Ignore = Sweeps.Flags with { IgnoreUnknown = true };

    [Fact]
    public void A_missing_or_unknown_method_is_refused_with_the_allowed_ones()
    {
        Sweeps.Only(Refuse("run_cap: 3\nparameters:\n  lr: {value: 0.01}\n"), "method", 1, 1, "missing", "grid, random or bayes");
        Sweeps.Single(Refuse("method: hyperopt\nrun_cap: 3\nparameters:\n  lr: {value: 0.01}\n"), "method", 1, 9, "'hyperopt' is not a W&B search method", "grid, random or bayes");
    }

    [Fact]
    public void A_goal_that_disagrees_with_the_metric_is_refused_and_so_is_a_missing_goal()
    {
        Sweeps.Only(Refuse("method: grid\nmetric: {name: val_accuracy, goal: minimize}\nparameters:\n  lr: {value: 0.01}\n"),
            "metric.goal", 2, 36, "disagrees with val_accuracy", "allowed: goal: maximize");
        Sweeps.Only(Refuse("method: grid\nmetric: {name: val_loss}\nparameters:\n  lr: {value: 0.01}\n"),
            "metric.goal", 2, 9, "W&B's default goal is minimize", "allowed: goal: minimize");
        Sweeps.Only(Refuse("method: grid\nmetric: {name: val_acc}\nparameters:\n  lr: {value: 0.01}\n"),
            "metric.goal", 2, 9, "would look for the worst trials", "allowed: goal: maximize");
    }

    [Fact]
    public void An_unknown_metric_is_refused_with_the_recorded_ones()
    {
        Sweeps.Only(Refuse("method: grid\nmetric: {name: f1_score, goal: maximize}\nparameters:\n  lr: {value: 0.01}\n"),
            "metric.name", 2, 16, "unknown metric 'f1_score'", "val_accuracy, val_loss, accuracy, loss");
    }

    [Fact]
    public void A_metric_target_is_refused_unless_ignored()
    {
        Sweeps.Only(Refuse("method: grid\nmetric: {name: val_acc, goal: maximize, target: 0.9}\nparameters:\n  lr: {value: 0.01}\n"),
            "metric.target", 2, 41, "no such stop", "--ignore-unknown");
        Assert.Contains(Read("method: grid\nmetric: {name: val_acc, goal: maximize, target: 0.9}\nparameters:\n  lr: {value: 0.01}\n", Ignore).Notes,
            n => n.Contains("metric.target", StringComparison.Ordinal) && n.Contains("ignored (--ignore-unknown)", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_parameters_are_listed_all_at_once_unless_ignored()
    {
        const string yaml = "method: grid\nparameters:\n  dropout: {values: [0.1, 0.5]}\n  weight_decay: {value: 0.0001}\n  lr: {value: 0.01}\n";
        var errors = Refuse(yaml);
        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "parameters.dropout", 3, 3, "'dropout' is not a Piximi hyperparameter; allowed: lr (learning_rate), batch_size", "--ignore-unknown");
        Sweeps.Single(errors, "parameters.weight_decay", 4, 3, "'weight_decay' is not a Piximi hyperparameter");

        var ignored = Read(yaml, Ignore);
        Assert.Equal([0.01], ignored.Definition.Parameters.LearningRates);
        Assert.Contains(ignored.Notes, n => n.Contains("parameters.dropout", StringComparison.Ordinal) && n.Contains("ignored (--ignore-unknown)", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_optimizer_and_loss_values_are_refused_unless_ignored_which_drops_them()
    {
        const string yaml = "method: grid\nparameters:\n  optimizer: {values: [adam, adma]}\n  loss: {values: [hinge, focal]}\n";
        var errors = Refuse(yaml);
        Sweeps.Single(errors, "parameters.optimizer.values[1]", 3, 30, "'adma' is not one of Piximi's optimizer names", "did you mean 'adam'?");
        Sweeps.Single(errors, "parameters.loss.values[1]", 4, 26, "'focal' is not one of Piximi's loss names");

        var ignored = Read(yaml, Ignore);
        Assert.Equal([OptimizerKind.Adam], ignored.Definition.Parameters.Optimizers);
        Assert.Equal([LossKind.Hinge], ignored.Definition.Parameters.Losses);
    }

    [Fact]
    public void A_list_left_empty_by_ignoring_is_refused()
    {
        Sweeps.Only(Refuse("method: grid\nparameters:\n  optimizer: {values: [nadam]}\n", Ignore), "parameters.optimizer", 3, 14, "no optimizer left");
    }

    [Fact]
    public void Unknown_top_level_keys_are_refused_with_a_suggestion_unless_ignored()
    {
        Sweeps.Only(Refuse("method: grid\nrun_caps: 3\nparameters:\n  lr: {value: 0.01}\n"), "run_caps", 2, 1, "did you mean 'run_cap'?");
        Assert.Contains(Read("method: grid\nrun_caps: 3\nparameters:\n  lr: {value: 0.01}\n", Ignore).Notes, n => n.Contains("run_caps", StringComparison.Ordinal));
    }

    [Fact]
    public void Learning_rates_batch_sizes_and_epochs_out_of_range_are_refused_as_in_the_native_format()
    {
        var errors = Refuse("method: grid\nparameters:\n  lr: {values: [0.01, 2]}\n  batch_size: {value: 0}\n  epochs: {values: [5, 20000]}\n  seed: {value: -1}\n");
        Sweeps.Single(errors, "parameters.lr.values[1]", 3, 23, "2 is out of range", "> 0 and ≤ 1");
        Sweeps.Single(errors, "parameters.batch_size.value", 4, 23, "0 is out of range", "whole numbers ≥ 1");
        Sweeps.Single(errors, "parameters.epochs.values[1]", 5, 24, "20000 is out of range", "1 to 10000");
        Sweeps.Single(errors, "parameters.seed.value", 6, 17, "-1 is out of range");
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  lr: {distribution: uniform, min: 0, max: 0.5}\n"),
            "parameters.lr.min", 4, 36, "out of range", "> 0 and ≤ 1");
    }

    [Fact]
    public void A_continuous_learning_rate_is_refused_for_the_grid()
    {
        Sweeps.Only(Refuse("method: grid\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}\n"),
            "parameters.lr", 3, 22, "method: grid needs a list", "values:");
    }

    [Fact]
    public void Quantised_distributions_are_refused_naming_the_values_to_list_instead()
    {
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  batch_size: {distribution: q_uniform, min: 16, max: 64, q: 16}\n"),
            "parameters.batch_size.distribution", 4, 30, "ends half as likely", "use values: [16, 32, 48, 64] instead");
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  lr: {distribution: q_log_uniform_values, min: 0.01, max: 0.05, q: 0.01}\n"),
            "parameters.lr.distribution", 4, 22, "use values: [0.01, 0.02, 0.03, 0.04, 0.05] instead");
    }

    [Fact]
    public void Distributions_that_cannot_be_honoured_are_refused_with_the_allowed_ones()
    {
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  lr: {distribution: normal, mu: 0.01, sigma: 0.001}\n"),
            "parameters.lr.distribution", 4, 22, "'normal' cannot be honoured", "uniform, log_uniform_values");
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  lr: {values: [0.01, 0.1], probabilities: [0.9, 0.1]}\n"),
            "parameters.lr.probabilities", 4, 29, "weighted choices cannot be honoured");
    }

    [Fact]
    public void Fractional_draws_for_whole_number_parameters_are_refused()
    {
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  epochs: {distribution: uniform, min: 1, max: 5}\n"),
            "parameters.epochs.distribution", 4, 26, "epochs takes whole numbers", "int_uniform");
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  batch_size: {min: 16.0, max: 64.5}\n"),
            "parameters.batch_size.distribution", 4, 15, "batch_size takes whole numbers");
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  lr: {distribution: int_uniform, min: 0, max: 1}\n"),
            "parameters.lr", 4, 22, "a learning rate is not a whole number");
    }

    [Fact]
    public void An_int_uniform_range_too_long_to_list_is_refused()
    {
        Sweeps.Only(Refuse("method: random\nrun_cap: 3\nparameters:\n  batch_size: {distribution: int_uniform, min: 1, max: 5000}\n"),
            "parameters.batch_size", 4, 48, "5000 whole numbers", "at most 1000");
    }

    [Fact]
    public void Early_terminate_other_than_hyperband_or_without_a_first_rung_is_refused()
    {
        Sweeps.Single(Refuse("method: grid\nearly_terminate: {type: envelope, min_iter: 1}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.type", 2, 25, "'envelope'", "allowed: hyperband");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.min_iter", 2, 18, "missing", "min_iter");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, max_iter: 10, s: 2}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.max_iter", 2, 46, "is 1.1111111111111112, not a whole number", "give min_iter:");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 1, eta: 1}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.eta", 2, 54, "out of range", "2 to 100");
    }

    [Fact]
    public void Strict_hyperband_is_refused_unless_ignored()
    {
        const string yaml = "method: grid\nearly_terminate: {type: hyperband, min_iter: 1, strict: true}\nparameters:\n  lr: {value: 0.01}\n";
        Sweeps.Only(Refuse(yaml), "early_terminate.strict", 2, 57, "W&B's more aggressive Hyperband variant", "--ignore-unknown");
        Assert.NotNull(Read(yaml, Ignore).Definition.Pruner);
    }

    [Fact]
    public void A_parameter_given_twice_under_two_aliases_is_refused()
    {
        Sweeps.Only(Refuse("method: grid\nparameters:\n  lr: {value: 0.01}\n  learning_rate: {value: 0.1}\n"),
            "parameters.learning_rate", 4, 3, "is learning_rate again, first given as 'lr'");
    }

    [Fact]
    public void A_wandb_file_without_a_dataset_is_refused_naming_both_ways_to_give_one()
    {
        var errors = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, "method: grid\nparameters:\n  lr: {value: 0.01}\n", _folder.SweepPath(), options: Sweeps.Flags)).Errors;
        Sweeps.Only(errors, "piximi.dataset", 1, 1, "--dataset FOLDER", "piximi: {dataset:");
    }

    [Fact]
    public void A_dataset_folder_without_training_files_and_an_unknown_model_are_refused()
    {
        var errors = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, "method: grid\nparameters:\n  lr: {value: 0.01}\n", _folder.SweepPath(),
            options: Sweeps.Flags with { Dataset = _folder.Root, Model = "ResNet" })).Errors;
        Sweeps.Single(errors, "--dataset", 0, 0, "holds no train-images-idx3-ubyte[.gz]");
        Sweeps.Single(errors, "--model", 0, 0, "unknown model 'ResNet'", "SimpleCNN");
    }

    [Fact]
    public void Without_the_callers_own_names_its_options_are_named_in_words()
    {
        // Core knows no command line: only a caller that has flags (the CLI) names them.
        var missing = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, "method: grid\nparameters:\n  lr: {value: 0.01}\n", _folder.SweepPath())).Errors;
        Sweeps.Only(missing, "piximi.dataset", 1, 1, "give the dataset option FOLDER");

        var native = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath(), options: new SweepFileOptions { IgnoreUnknown = true })).Errors;
        Sweeps.Only(native, "the ignore-unknown option", 0, 0, "applies to Weights & Biases sweep files only");
        Assert.DoesNotContain("--", string.Join("\n", missing.Concat(native)), StringComparison.Ordinal);
    }

    [Fact]
    public void W_and_b_options_are_refused_for_a_native_file()
    {
        var errors = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath(), options: Ignore)).Errors;
        Sweeps.Only(errors, "--ignore-unknown", 0, 0, "applies to Weights & Biases sweep files only");
    }

    [Fact]
    public void Batch_sizes_larger_than_the_training_images_are_refused()
    {
        var errors = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, 
            "method: grid\nparameters:\n  batch_size: {values: [16, 512]}\n\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath(), _ => 400)).Errors;
        Sweeps.Only(errors, "parameters.batch_size", 3, 29, "batch size 512 is more than the training images", "300");
    }
}
