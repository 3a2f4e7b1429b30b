namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_sweep_file : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_setting_of_the_documented_example_lands_in_the_definition()
    {
        var yaml = $$"""
            name: fashion-mnist-quick          # a comment
            description: free text
            dataset:
              kind: idx
              images: {{_folder.Images}}
              labels: {{_folder.Labels}}
              training_percentage: 0.8
              subset: 1000
            model: SimpleCNN
            metric: val_loss
            parameters:
              optimizer: [Adam, StochasticGradientDescent]
              loss: CategoricalCrossEntropy
              learning_rate: {from: 0.001, to: 0.1}
              batch_size: {from: 16, to: 128}
              epochs: 2
              seed: [1, 2]
            """;

        var sweep = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath());
        var definition = sweep.Definition;

        Assert.Equal("fashion-mnist-quick", definition.Name);
        Assert.Equal("free text", sweep.Definition.Description);
        Assert.Equal(new DatasetSpec("idx", _folder.Images, _folder.Labels, 0.8, 1000), definition.Dataset);
        Assert.Equal(ModelKind.SimpleCNN, definition.Model);
        Assert.Equal("val_loss", definition.Metric);
        var space = definition.Parameters;
        Assert.Equal([OptimizerKind.Adam, OptimizerKind.StochasticGradientDescent], space.Optimizers);
        Assert.Equal([LossKind.CategoricalCrossEntropy], space.Losses);
        Assert.Equal([0.001, 0.003, 0.01, 0.03, 0.1], space.LearningRates);
        Assert.Equal([16, 32, 64, 128], space.BatchSizes);
        Assert.Equal([2], space.Epochs);
        Assert.Null(space.TimeBudget);
        Assert.Equal([1, 2], space.Seeds);
        Assert.Equal(2 * 1 * 5 * 4 * 1 * 2, sweep.Trials.Count);
    }

    [Fact]
    public void A_file_with_only_a_dataset_takes_Piximis_defaults_and_is_named_after_the_file()
    {
        var sweep = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath("mnist-baseline.v2.yaml"));
        var definition = sweep.Definition;

        Assert.Equal("mnist-baseline.v2", definition.Name);
        Assert.Null(sweep.Definition.Description);
        Assert.Equal(0.75, definition.Dataset.TrainingPercentage);
        Assert.Null(definition.Dataset.Subset);
        Assert.Equal(ModelKind.SimpleCNN, definition.Model);
        Assert.Equal("val_accuracy", definition.Metric);
        Assert.Equal(
            new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 10, null, 0),
            Assert.Single(sweep.Trials));
    }

    [Fact]
    public void An_empty_parameters_section_means_all_defaults()
    {
        var sweep = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nparameters:\n  # nothing yet\n", _folder.SweepPath());

        Assert.Equal(
            new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 10, null, 0),
            Assert.Single(sweep.Trials));
    }

    [Fact]
    public void Relative_dataset_paths_resolve_against_the_sweep_files_folder_not_the_working_directory()
    {
        var images = _folder.Write("data/fashion/train-images.gz", "x");
        var labels = _folder.Write("data/fashion/train-labels.gz", "x");
        var sweepPath = Path.Combine(_folder.Root, "sweeps", "quick.yaml");
        var yaml = """
            dataset:
              kind: idx
              images: ../data/fashion/train-images.gz
              labels: ./../data/fashion/train-labels.gz
            """;

        var dataset = SweepFile.Parse(LocalDisk.Instance, yaml, sweepPath).Definition.Dataset;

        Assert.Equal(images, dataset.Images);
        Assert.Equal(labels, dataset.Labels);
        Assert.True(Path.IsPathFullyQualified(dataset.Images));
    }

    [Fact]
    public void Optimizer_loss_model_metric_and_kind_are_matched_ignoring_case_and_stored_in_canonical_spelling()
    {
        var yaml = """
            dataset:
              kind: IDX
              images: images.gz
              labels: labels.gz
            model: simplecnn
            metric: VAL_ACCURACY
            parameters:
              optimizer: [rmsprop, ADAGRAD, momentum]
              loss: meansquarederror
            """;

        var definition = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath()).Definition;

        Assert.Equal("idx", definition.Dataset.Kind);
        Assert.Equal(ModelKind.SimpleCNN, definition.Model);
        Assert.Equal("val_accuracy", definition.Metric);
        Assert.Equal([OptimizerKind.RMSProp, OptimizerKind.Adagrad, OptimizerKind.Momentum], definition.Parameters.Optimizers);
        Assert.Equal([LossKind.MeanSquaredError], definition.Parameters.Losses);
    }

    [Fact]
    public void Lists_keep_the_order_they_are_written_in()
    {
        var yaml = Sweeps.Minimal + """

            parameters:
              learning_rate: [0.1, 0.001, 0.01]
              batch_size: [64, 16]
              epochs: [4, 2]
              seed: [7, 0, 3]
            """;

        var space = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath()).Definition.Parameters;

        Assert.Equal([0.1, 0.001, 0.01], space.LearningRates);
        Assert.Equal([64, 16], space.BatchSizes);
        Assert.Equal([4, 2], space.Epochs);
        Assert.Equal([7, 0, 3], space.Seeds);
    }

    [Fact]
    public void Block_lists_quoted_numbers_and_exponents_are_read_like_their_plain_forms()
    {
        var yaml = Sweeps.Minimal + """

            parameters:
              learning_rate:
                - 1e-3
                - "0.03"
              batch_size: '32'
              epochs: 2.0
            """;

        var space = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath()).Definition.Parameters;

        Assert.Equal([0.001, 0.03], space.LearningRates);
        Assert.Equal([32], space.BatchSizes);
        Assert.Equal([2], space.Epochs);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("20m", 20 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 90 * 60)]
    public void Epochs_with_a_time_budget_run_at_most_max_epochs_within_that_time(string budget, int seconds)
    {
        var yaml = Sweeps.Minimal + $$"""

            parameters:
              epochs: {max: 50, time_budget: {{budget}}}
            """;

        var sweep = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath());

        Assert.Equal([50], sweep.Definition.Parameters.Epochs);
        Assert.Equal(TimeSpan.FromSeconds(seconds), sweep.Definition.Parameters.TimeBudget);
        var trial = Assert.Single(sweep.Trials);
        Assert.Equal(50, trial.Epochs);
        Assert.Equal(TimeSpan.FromSeconds(seconds), trial.TimeBudget);
    }

    [Fact]
    public void Load_reads_the_file_from_disk_and_resolves_paths_against_its_folder()
    {
        var path = _folder.Write("sweeps/from-disk.yaml", """
            dataset:
              kind: idx
              images: ../images.gz
              labels: ../labels.gz
            parameters:
              seed: [1, 2, 3]
            """);

        var sweep = SweepFile.Load(LocalDisk.Instance, path);

        Assert.Equal("from-disk", sweep.Definition.Name);
        Assert.Equal(_folder.Images, sweep.Definition.Dataset.Images);
        Assert.Equal(3, sweep.Trials.Count);
    }

    [Fact]
    public void The_image_counter_sees_the_resolved_dataset_and_a_batch_equal_to_the_training_images_is_accepted()
    {
        var yaml = """
            dataset:
              kind: idx
              images: images.gz
              labels: labels.gz
              subset: 200
              training_percentage: 0.5
            parameters:
              batch_size: 100
            """;
        DatasetSpec? seen = null;

        var sweep = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath(), spec => { seen = spec; return 200; });

        Assert.Equal(new DatasetSpec("idx", _folder.Images, _folder.Labels, 0.5, 200), seen);
        Assert.Equal([100], sweep.Definition.Parameters.BatchSizes);
    }

    [Fact]
    public void Training_images_are_counted_in_decimal_so_100_images_at_0_29_leave_29_not_28()
    {
        // In double arithmetic 100 × 0.29 is 28.999999999999996, which would floor to 28.
        var yaml = """
            dataset:
              kind: idx
              images: images.gz
              labels: labels.gz
              training_percentage: 0.29
            parameters:
              batch_size: 29
            """;

        var sweep = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath(), _ => 100);

        Assert.Equal([29], sweep.Definition.Parameters.BatchSizes);
        var errors = Sweeps.Refuse(yaml.Replace("batch_size: 29", "batch_size: 30"), _folder.SweepPath(), _ => 100);
        Sweeps.Only(errors, "parameters.batch_size", 7, 15, "training images: 29");
    }

    [Fact]
    public void A_home_relative_dataset_path_resolves_under_the_users_home_folder()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var yaml = """
            dataset:
              kind: idx
              images: ~/surely-not-there/images.gz
              labels: labels.gz
            """;

        var errors = Sweeps.Refuse(yaml, _folder.SweepPath());

        Sweeps.Only(errors, "dataset.images", 3, 11, $"file not found: {Path.Join(home, "surely-not-there", "images.gz")}");
    }

    [Fact]
    public void A_YAML_anchor_can_be_reused_for_several_settings()
    {
        var yaml = Sweeps.Minimal + """

            parameters:
              epochs: &two 2
              seed: *two
            """;

        var space = SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath()).Definition.Parameters;

        Assert.Equal([2], space.Epochs);
        Assert.Equal([2], space.Seeds);
    }
}
