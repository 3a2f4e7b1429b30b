namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// Issue 12: W&amp;B sweep files as W&amp;B reads them. W&amp;B's spec (docs.wandb.ai/models/sweeps/sweep-config-keys,
/// source wandb/docs models/sweeps/sweep-config-keys.mdx): run_cap is optional ("Maximum number of runs"), and random
/// and bayes run "forever unless you stop the process"; metric.name is whatever the script logs; early_terminate's
/// hyperband takes min_iter, or max_iter with s, and eta. The fixtures are excerpts in the shapes public files take.
/// </summary>
public sealed class Reading_wandb_sweeps_as_wandb_reads_them : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly SweepFileOptions Ignore = Sweeps.Flags with { IgnoreUnknown = true };

    private LoadedSweep Read(string yaml, SweepFileOptions? options = null) =>
        SweepFile.Parse(LocalDisk.Instance, yaml + "\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath("wb.yaml"), options: options ?? Sweeps.Flags);

    private IReadOnlyList<SweepFileError> Refuse(string yaml, SweepFileOptions? options = null) =>
        Assert.Throws<SweepFileException>(() => Read(yaml, options)).Errors;

    private static void Noted(LoadedSweep sweep, params string[] parts) =>
        Assert.True(sweep.Notes.Any(n => parts.All(p => n.Contains(p, StringComparison.Ordinal))),
            $"no note with {string.Join(" and ", parts)} among:\n{string.Join("\n", sweep.Notes)}");

    // ----- 1. run_cap is optional -----

    [Theory]
    [InlineData("random", SearchMethod.Random)]
    [InlineData("bayes", SearchMethod.Tpe)]
    public void Random_and_bayes_without_run_cap_run_until_stopped_and_a_note_says_so(string method, SearchMethod expected)
    {
        var sweep = Read($"method: {method}\nparameters:\n  lr: {{distribution: log_uniform_values, min: 0.001, max: 0.1}}\n");

        Assert.Equal((expected, (int?)null), (sweep.Definition.Method, sweep.Definition.Trials));
        Assert.True(sweep.Definition.IsOpenEnded);
        Assert.True(sweep.Definition.ProposesAsItRuns);
        Assert.Empty(sweep.Trials); // nothing drawn up front: workers propose while it runs
        Assert.Equal(Baselines.OpenEnded, Baselines.ProposedTotal(sweep.Definition));
        Noted(sweep, "wb.yaml:1:9: run_cap: not given", $"as W&B runs method: {method}", "until stopped", "--max-trials", "--deadline", "Ctrl+C");
    }

    [Fact]
    public void An_open_ended_random_search_proposes_at_run_time_exactly_the_draws_a_counted_one_makes_up_front()
    {
        const string parameters = "parameters:\n  optimizer: {values: [adam, rmsprop, sgd]}\n  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}\n  batch_size: {values: [16, 32]}\n";
        var open = Read("method: random\n" + parameters).Definition;
        var counted = Read("method: random\nrun_cap: 8\n" + parameters);

        // What a worker's TrialSource asks for an open-ended random sweep, at each trial's position.
        var sampler = Samplers.Random(open.Parameters, open.SamplerSeed);
        Assert.Equal(counted.Trials, Enumerable.Range(0, 8).Select(i => sampler.Propose([], position: i)));
        Assert.False(counted.Definition.ProposesAsItRuns);
        Assert.Null(Baselines.ProposedTotal(counted.Definition));
    }

    [Fact]
    public void An_open_ended_definition_is_stored_without_a_trial_count_and_read_back_open_ended()
    {
        var definition = Read("method: bayes\nparameters:\n  lr: {min: 0.001, max: 0.1}\n").Definition;

        var json = SweepJson.Serialize(definition);
        Assert.DoesNotContain("trials", json, StringComparison.Ordinal);
        Assert.DoesNotContain("open", json, StringComparison.Ordinal); // the derived flags are not stored
        Assert.True(SweepJson.Deserialize(json).IsOpenEnded);
        Assert.True(SweepJson.SameSweep(json, definition));
    }

    // ----- 2. metric names behind a prefix -----

    [Theory]
    [InlineData("epoch/val_accuracy", "maximize", "val_accuracy", "'val_accuracy'")] // Keras' WandbMetricsLogger: epoch/{name}
    [InlineData("epoch/accuracy", "maximize", "accuracy", "'accuracy'")]
    [InlineData("val/acc", "maximize", "val_accuracy", "'acc' on the 'val' data")] // Lightning's usual self.log("val/acc")
    [InlineData("validation/accuracy", "maximize", "val_accuracy", "'accuracy' on the 'validation' data")]
    [InlineData("eval/loss", "minimize", "val_loss", "'loss' on the 'eval' data")] // Hugging Face's Trainer
    [InlineData("train/loss", "minimize", "loss", "'loss' on the 'train' data")]
    [InlineData("Val/Loss", "minimize", "val_loss", "'loss' on the 'val' data")]
    public void A_metric_behind_a_prefix_maps_by_its_last_part_and_a_note_names_the_mapping(string written, string goal, string metric, string how)
    {
        foreach (var options in new[] { SweepFileOptions.None, Ignore })
        {
            var sweep = Read($"method: grid\nmetric: {{name: {written}, goal: {goal}}}\nparameters:\n  epochs: {{value: 2}}\n", options);

            Assert.Equal(metric, sweep.Definition.Metric);
            Noted(sweep, "wb.yaml:2:16: metric.name:", $"'{written}' is read as {metric}, by its last part {how}");
        }
    }

    [Fact]
    public void A_metric_that_still_maps_to_nothing_is_refused_with_the_recorded_ones_even_with_ignore_unknown()
    {
        foreach (var options in new[] { SweepFileOptions.None, Ignore })
        {
            Sweeps.Only(Refuse("method: grid\nmetric: {name: epoch/f1_score, goal: maximize}\nparameters:\n  epochs: {value: 2}\n", options),
                "metric.name", 2, 16, "unknown metric 'epoch/f1_score'", "allowed: those", "val_accuracy, val_loss, accuracy, loss", "epoch/val_accuracy");
        }
    }

    [Fact]
    public void A_test_sets_metric_is_refused_rather_than_read_as_the_training_datas()
    {
        // W&B's Hydra example ranks by test/accuracy (docs.wandb.ai/models/integrations/hydra): its last part alone
        // would be the training accuracy.
        Sweeps.Only(Refuse("method: grid\nmetric: {name: test/accuracy, goal: maximize}\nparameters:\n  epochs: {value: 2}\n"),
            "metric.name", 2, 16, "'test/accuracy' is measured on a test set", "records no test metrics", "allowed: val_accuracy, val_loss, accuracy, loss");
        Sweeps.Only(Refuse("method: grid\nmetric: {name: test_acc, goal: maximize}\nparameters:\n  epochs: {value: 2}\n"),
            "metric.name", 2, 16, "is measured on a test set");
    }

    // ----- 3. real optimizers and losses are not typos -----

    [Theory]
    [InlineData("optimizer", "nadam", "Piximi has no NAdam; its closest is Adam (NAdam is Adam with Nesterov momentum)")]
    [InlineData("optimizer", "adamw", "Piximi has no AdamW; its closest is Adam (AdamW is Adam with decoupled weight decay")]
    [InlineData("optimizer", "nag", "Piximi has no SGD with Nesterov momentum (NAG); its closest is Momentum")]
    [InlineData("optimizer", "rmsprop_centered", "Piximi has no centred RMSProp; its closest is RMSProp")]
    [InlineData("optimizer", "lion", "Piximi has no Lion; allowed: Adadelta")]
    [InlineData("loss", "cross_entropy_with_label_smoothing", "Piximi has no cross entropy with label smoothing; its closest is CategoricalCrossEntropy")]
    [InlineData("loss", "sparse_categorical_crossentropy", "Piximi has no sparse categorical cross entropy; its closest is CategoricalCrossEntropy (the same loss")]
    [InlineData("loss", "focal", "Piximi has no focal loss; its closest is CategoricalCrossEntropy")]
    [InlineData("loss", "kl_div", "Piximi has no Kullback-Leibler divergence; allowed: AbsoluteDifference")]
    public void Another_librarys_optimizer_or_loss_gets_what_piximi_offers_never_a_did_you_mean(string parameter, string written, string message)
    {
        var error = Sweeps.Only(Refuse($"method: grid\nparameters:\n  {parameter}: {{value: {written}}}\n"),
            $"parameters.{parameter}.value", 3, parameter.Length + 13, $"'{written}' is not one of Piximi's {parameter} names: {message}", "allowed: ");
        Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Typos_still_get_their_suggestion_and_sgd_momentum_is_piximis_momentum()
    {
        Sweeps.Only(Refuse("method: grid\nparameters:\n  optimizer: {value: adma}\n"), "parameters.optimizer.value", 3, 22, "did you mean 'adam'?");
        Sweeps.Only(Refuse("method: grid\nparameters:\n  loss: {value: hinj}\n"), "parameters.loss.value", 3, 17, "did you mean 'hinge'?");
        // Momentum here is SGD with momentum 0.9 (Training/Optimizers.cs), which is what sgd_momentum names.
        Assert.Equal([OptimizerKind.Momentum], Read("method: grid\nparameters:\n  optimizer: {value: sgd_momentum}\n").Definition.Parameters.Optimizers);
    }

    [Fact]
    public void A_native_file_says_the_same_about_another_librarys_optimizer()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nparameters:\n  optimizer: [Nadam, Adma]\n  loss: label_smoothing\n", _folder.SweepPath());

        var nadam = Sweeps.Single(errors, "parameters.optimizer[0]", 6, 15, "unknown optimizer 'Nadam'; Piximi has no NAdam; its closest is Adam", "allowed: Adadelta");
        Assert.DoesNotContain("did you mean", nadam.Message, StringComparison.Ordinal);
        Sweeps.Single(errors, "parameters.optimizer[1]", 6, 22, "unknown optimizer 'Adma'; did you mean 'Adam'?");
        Sweeps.Single(errors, "parameters.loss", 7, 9, "Piximi has no cross entropy with label smoothing; its closest is CategoricalCrossEntropy");
    }

    // ----- 4. dotted parameter names -----

    [Theory]
    [InlineData("training.batch_size", "batch_size")]
    [InlineData("optimizer.lr", "lr")]
    [InlineData("model.learning_rate", "learning_rate")]
    [InlineData("hyperparams.epochs", "epochs")]
    [InlineData("train.optimizer.name", null)]
    [InlineData("model.lin1_size", null)]
    public void A_dotted_parameter_name_is_refused_with_its_last_part_as_the_suggestion(string written, string? suggested)
    {
        var error = Sweeps.Only(Refuse($"method: grid\nparameters:\n  {written}: {{value: 1}}\n"), $"parameters.{written}", 3, 3,
            $"'{written}' is not a Piximi hyperparameter; " + (suggested is null ? "allowed: " : $"did you mean '{suggested}'? allowed: "),
            "lr (learning_rate), batch_size, epochs, optimizer, loss, seed, model", "--ignore-unknown");
        if (suggested is null) Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);

        Noted(Read($"method: grid\nparameters:\n  {written}: {{value: 1}}\n", Ignore), $"parameters.{written}:", "ignored (--ignore-unknown)");
    }

    // ----- 5. a Hyperband that can never prune -----

    [Fact]
    public void A_first_rung_at_or_past_the_last_epoch_is_refused_in_wandbs_words()
    {
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 5}\nparameters:\n  epochs: {values: [3, 5]}\n"),
            "early_terminate.min_iter", 2, 46,
            "min_iter 5 is not below the most epochs a trial runs (5, from parameters.epochs), so there would be nothing to prune",
            "allowed: a whole number from 1 to 4");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 20}\nparameters:\n  num_epochs: {value: 10}\n"),
            "early_terminate.min_iter", 2, 46, "min_iter 20 is not below the most epochs a trial runs (10, from parameters.num_epochs)");
        // No epochs parameter: the default 10.
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 10}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.min_iter", 2, 46, "(10, the default epochs, as no epochs parameter is given)");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 1}\nparameters:\n  epochs: {value: 1}\n"),
            "early_terminate.min_iter", 2, 46, "allowed: none while trials run 1 epoch: give parameters.epochs more than 1, or leave out early_terminate");
    }

    [Fact]
    public void A_first_rung_derived_from_max_iter_and_s_is_refused_at_max_iter()
    {
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  epochs: {value: 3}\n"),
            "early_terminate.max_iter", 2, 46,
            "the first rung, max_iter / eta^s = 27 / 3^2 = 3 epochs, is not below the most epochs a trial runs (3, from parameters.epochs)",
            "allowed: a whole number from 1 to 2");
        Assert.Equal(3, Read("method: grid\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  epochs: {value: 4}\n")
            .Definition.Pruner!.MinEpochs);
    }

    [Fact]
    public void The_native_and_the_wandb_format_refuse_the_same_hyperband_with_the_same_rule()
    {
        var native = Sweeps.Refuse(Sweeps.Minimal + "\npruner: {type: hyperband, min_epochs: 5}\nparameters:\n  epochs: [3, 5]\n", _folder.SweepPath());
        var wandb = Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 5}\nparameters:\n  epochs: {values: [3, 5]}\n");

        const string rule = " is not below the most epochs a trial runs (5, from parameters.epochs), so there would be nothing to prune; allowed: a whole number from 1 to 4";
        Assert.Equal("5" + rule, Sweeps.Only(native, "pruner.min_epochs", 5, 39).Message);
        Assert.Equal("min_iter 5" + rule, Sweeps.Only(wandb, "early_terminate.min_iter", 2, 46).Message);
        Assert.NotNull(Read("method: grid\nearly_terminate: {type: hyperband, min_iter: 4}\nparameters:\n  epochs: {values: [3, 5]}\n").Definition.Pruner);
    }

    // ----- the shapes of public files, whole -----

    [Fact]
    public void A_keras_style_random_sweep_runs_open_ended_ranked_by_its_epoch_metric()
    {
        // Keras' WandbMetricsLogger logs each epoch's metrics as epoch/<name> (wandb/wandb,
        // wandb/integration/keras/callbacks/metrics_logger.py, on_epoch_end); no run_cap, as W&B allows.
        var sweep = Read("""
            program: train.py
            method: random
            metric:
              name: epoch/val_accuracy
              goal: maximize
            parameters:
              optimizer:
                values: [adam, rmsprop, sgd]
              learning_rate:
                distribution: log_uniform_values
                min: 0.0001
                max: 0.01
              batch_size:
                values: [32, 64]
              epochs:
                value: 10
            early_terminate:
              type: hyperband
              min_iter: 3
            """);

        Assert.Equal((SearchMethod.Random, MetricNames.ValAccuracy, 3), (sweep.Definition.Method, sweep.Definition.Metric, sweep.Definition.Pruner!.MinEpochs));
        Assert.True(sweep.Definition.IsOpenEnded);
        Noted(sweep, "metric.name: 'epoch/val_accuracy' is read as val_accuracy");
        Noted(sweep, "run_cap: not given");
    }

    [Fact]
    public void A_hydra_style_bayes_sweep_is_refused_naming_every_problem_at_once()
    {
        // Hydra projects write their config paths (model.lr) and pass them with ${args_no_hyphens}, as in W&B's Hydra
        // example (docs.wandb.ai/models/integrations/hydra); Lightning logs val/acc.
        var errors = Refuse("""
            program: run.py
            method: bayes
            metric:
              name: val/acc
              goal: maximize
            parameters:
              model.lr:
                distribution: uniform
                min: 0.0001
                max: 0.1
              datamodule.batch_size:
                values: [32, 64, 128]
              optimizer:
                values: [adamw, sgd]
            early_terminate:
              type: hyperband
              min_iter: 12
            command:
              - ${interpreter}
              - ${program}
              - ${args_no_hyphens}
            """);

        Assert.Equal(4, errors.Count);
        Sweeps.Single(errors, "parameters.model.lr", 7, 3, "did you mean 'lr'?");
        Sweeps.Single(errors, "parameters.datamodule.batch_size", 11, 3, "did you mean 'batch_size'?");
        Sweeps.Single(errors, "parameters.optimizer.values[0]", 14, 14, "Piximi has no AdamW; its closest is Adam");
        // With no epochs parameter a trial runs the default 10 epochs, so a first rung at 12 would never prune: said
        // even though other parameters are refused.
        Sweeps.Single(errors, "early_terminate.min_iter", 17, 13, "min_iter 12 is not below the most epochs a trial runs (10, the default epochs");
        Assert.DoesNotContain(errors, e => e.Field.StartsWith("metric", StringComparison.Ordinal)); // val/acc is val_accuracy
    }
}
