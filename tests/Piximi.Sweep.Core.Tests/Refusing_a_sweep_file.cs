namespace Piximi.Sweep.Core.Tests;

/// <summary>Each bad input is refused with its line, column, dotted field, what was wrong and what is allowed.</summary>
public sealed class Refusing_a_sweep_file : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string SweepPath => _folder.SweepPath();

    /// <summary>The minimal file plus a parameters section; its first parameter line is line 6.</summary>
    private IReadOnlyList<SweepFileError> RefuseParameters(string parameterLines, Func<DatasetSpec, int>? countImages = null) =>
        Sweeps.Refuse(Sweeps.Minimal + "\nparameters:\n" + parameterLines, SweepPath, countImages);

    // ----- the file and the document -----

    [Fact]
    public void A_missing_file_is_one_error_at_line_0_that_names_the_full_path()
    {
        var missing = Path.Combine(_folder.Root, "nope", "sweep.yaml");

        var error = Assert.Single(Assert.Throws<SweepFileException>(() => SweepFile.Load(LocalDisk.Instance, missing)).Errors);

        Assert.Equal(new SweepFileError(missing, 0, 0, "(file)", $"file not found: {missing}"), error);
    }

    [Fact]
    public void A_folder_given_as_the_sweep_file_is_refused_as_unreadable()
    {
        var error = Assert.Single(Assert.Throws<SweepFileException>(() => SweepFile.Load(LocalDisk.Instance, _folder.Root)).Errors);

        Assert.Equal((0, 0, "(file)"), (error.Line, error.Column, error.Field));
        Assert.Contains($"{_folder.Root} is a folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_YAML_is_reported_at_its_line_and_column()
    {
        var errors = Sweeps.Refuse("dataset:\n  kind: idx\n   images: x\n", SweepPath);

        Sweeps.Only(errors, "(yaml)", 3, 10, "malformed YAML");
    }

    [Fact]
    public void A_value_of_thousands_of_characters_is_echoed_cut_to_200_with_its_length()
    {
        var huge = new string('x', 5000);
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\nmethod: {huge}\n", SweepPath);

        var error = Assert.Single(errors);
        Assert.Contains($"'{new string('x', 200)}…' (5000 characters) is not a search method here", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 500, error.Message);
    }

    [Fact]
    public void Cutting_long_values_leaves_short_quoted_values_and_the_text_between_them_alone()
    {
        var message = $"'a' is not allowed; {new string('y', 300)} Piximi's names; 'b' instead";

        Assert.Equal(message, Piximi.Sweep.Core.Yaml.ErrorSink.Cut(message));
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_on_its_own_line_not_at_1_1()
    {
        var errors = Sweeps.Refuse("name: tabs\ndataset:\n  kind: idx\n\timages: x\n", SweepPath);

        Sweeps.Only(errors, "(yaml)", 4, 1, "a tab in the indentation; YAML indents with spaces only");
    }

    [Fact]
    public void An_unclosed_quote_is_reported_where_the_quote_opens()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nname: 'half\n", SweepPath);

        Sweeps.Only(errors, "(yaml)", 5, 7, "malformed YAML", "quoted scalar");
    }

    [Fact]
    public void An_unclosed_bracket_is_reported_at_the_bracket()
    {
        var errors = RefuseParameters("  seed: [1, 2\n  epochs: 3\n");

        Sweeps.Only(errors, "(yaml)", 6, 9, "malformed YAML");
    }

    [Theory]
    [InlineData("- dataset\n- parameters\n", "a list")]
    [InlineData("just some words\n", "'just some words'")]
    public void A_top_level_that_is_not_a_mapping_is_refused(string yaml, string found)
    {
        var errors = Sweeps.Refuse(yaml, SweepPath);

        Sweeps.Only(errors, "(document)", 1, 1, "the top level must be a mapping", $"found {found}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void An_empty_file_is_refused(string yaml)
    {
        var errors = Sweeps.Refuse(yaml, SweepPath);

        Assert.Equal("(document)", Assert.Single(errors).Field);
        Assert.Equal((1, 1), (errors[0].Line, errors[0].Column));
    }

    [Fact]
    public void A_second_YAML_document_is_refused_where_it_starts()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\n---\nname: other\n", SweepPath);

        Sweeps.Only(errors, "(document)", 5, 1, "a second YAML document");
    }

    // ----- keys -----

    [Fact]
    public void An_unknown_top_level_key_is_refused_with_a_suggestion_and_the_allowed_keys()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nparamters:\n  seed: 1\n", SweepPath);

        Sweeps.Only(errors, "paramters", 5, 1,
            "unknown key 'paramters'", "did you mean 'parameters'?", "allowed: name, description, dataset, model, metric, parameters");
    }

    [Fact]
    public void An_unknown_parameter_is_refused_with_a_did_you_mean()
    {
        var errors = RefuseParameters("  learnign_rate: 0.1\n");

        Sweeps.Only(errors, "parameters.learnign_rate", 6, 3, "unknown key 'learnign_rate'", "did you mean 'learning_rate'?");
    }

    [Fact]
    public void A_misspelt_dataset_key_is_refused_and_the_key_it_should_have_been_is_reported_missing()
    {
        var yaml = """
            dataset:
              kind: idx
              image: images.gz
              labels: labels.gz
            """;

        var errors = Sweeps.Refuse(yaml, SweepPath);

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "dataset.image", 3, 3, "did you mean 'images'?");
        Sweeps.Single(errors, "dataset.images", 2, 3, "missing");
    }

    [Fact]
    public void An_unknown_key_inside_a_ladder_is_refused()
    {
        var errors = RefuseParameters("  learning_rate: {from: 0.001, too: 0.1}\n");

        Sweeps.Single(errors, "parameters.learning_rate.too", 6, 32, "did you mean 'to'?", "allowed: from, to");
        Sweeps.Single(errors, "parameters.learning_rate.to", 6, 18, "missing");
    }

    [Fact]
    public void A_duplicate_key_is_refused_at_its_second_use_and_the_rest_of_the_file_is_still_checked()
    {
        var errors = RefuseParameters("  seed: 1\n  learning_rate: 5\n  seed: 2\n");

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "parameters.seed", 8, 3, "duplicate key 'seed', first given at line 6, column 3");
        Sweeps.Single(errors, "parameters.learning_rate", 7, 18, "5 is out of range");
    }

    // ----- names -----

    [Fact]
    public void An_unknown_optimizer_is_refused_with_all_of_Piximis_names_and_a_suggestion()
    {
        var errors = RefuseParameters("  optimizer: [Adam, Adamm]\n");

        Sweeps.Only(errors, "parameters.optimizer[1]", 6, 21, "unknown optimizer 'Adamm'", "did you mean 'Adam'?",
            "allowed: Adadelta, Adagrad, Adam, Adamax, Momentum, RMSProp, StochasticGradientDescent");
    }

    [Fact]
    public void Another_tools_optimizer_name_suggests_Piximis()
    {
        var errors = RefuseParameters("  optimizer: sgd\n");

        Sweeps.Only(errors, "parameters.optimizer", 6, 14, "unknown optimizer 'sgd'", "did you mean 'StochasticGradientDescent'?");
    }

    [Fact]
    public void An_unknown_loss_is_refused_with_all_of_Piximis_names_and_a_suggestion()
    {
        var errors = RefuseParameters("  loss: categorical_crossentropy\n");

        Sweeps.Only(errors, "parameters.loss", 6, 9, "unknown loss 'categorical_crossentropy'",
            "did you mean 'CategoricalCrossEntropy'?",
            "allowed: AbsoluteDifference, CategoricalCrossEntropy, Hinge, Huber, Log, MeanSquaredError, SigmoidCrossEntropy");
    }

    [Theory]
    [InlineData("2")]
    [InlineData("Adam, Momentum")]
    public void An_optimizer_given_as_an_enum_number_or_flag_list_is_refused(string value)
    {
        var errors = RefuseParameters($"  optimizer: '{value}'\n");

        Sweeps.Only(errors, "parameters.optimizer", 6, 14, $"unknown optimizer '{value}'");
    }

    [Fact]
    public void An_unknown_metric_model_and_dataset_kind_are_refused_with_what_is_allowed()
    {
        var yaml = """
            dataset:
              kind: csv
              images: images.gz
              labels: labels.gz
            model: ResNet
            metric: val_acc
            """;

        var errors = Sweeps.Refuse(yaml, SweepPath);

        Assert.Equal(3, errors.Count);
        Sweeps.Single(errors, "dataset.kind", 2, 9, "unknown dataset kind 'csv'", "allowed: idx");
        Sweeps.Single(errors, "model", 5, 8, "unknown model 'ResNet'", "allowed: SimpleCNN");
        Sweeps.Single(errors, "metric", 6, 9, "unknown metric 'val_acc'", "did you mean 'val_accuracy'?",
            "allowed: val_accuracy, val_loss, accuracy, loss");
    }

    [Theory]
    [InlineData("my sweep!")]
    [InlineData("..")]
    public void A_name_outside_the_allowed_characters_or_length_is_refused(string name)
    {
        var errors = Sweeps.Refuse($"name: '{name}'\n" + Sweeps.Minimal, SweepPath);

        Sweeps.Only(errors, "name", 1, 7, $"'{name}' is not a valid name", "allowed: 1 to 100 letters, digits");
    }

    [Fact]
    public void A_name_of_101_characters_is_refused_and_one_of_100_accepted()
    {
        var errors = Sweeps.Refuse($"name: {new string('a', 101)}\n" + Sweeps.Minimal, SweepPath);

        Sweeps.Only(errors, "name", 1, 7, "is not a valid name", "1 to 100");
        Assert.Equal(new string('b', 100), SweepFile.Parse(LocalDisk.Instance, $"name: {new string('b', 100)}\n" + Sweeps.Minimal, SweepPath).Definition.Name);
    }

    [Fact]
    public void Without_a_name_a_file_name_that_is_not_a_valid_name_is_refused()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal, _folder.SweepPath("my sweep.yaml"));

        Sweeps.Only(errors, "name", 1, 1, "the file name 'my sweep' is not a valid name", "add name:");
    }

    // ----- learning rates -----

    [Theory]
    [InlineData("0")]
    [InlineData("-0.1")]
    [InlineData("5")]
    [InlineData("1.0001")]
    public void A_learning_rate_outside_0_exclusive_to_1_is_refused_with_line_and_column(string rate)
    {
        var errors = RefuseParameters($"  learning_rate: {rate}\n");

        var error = Sweeps.Only(errors, "parameters.learning_rate", 6, 18, $"{rate} is out of range; allowed: > 0 and ≤ 1");
        Assert.Equal($"{SweepPath}:6:18: parameters.learning_rate: {rate} is out of range; allowed: > 0 and ≤ 1", error.ToString());
    }

    [Fact]
    public void A_bad_learning_rate_in_a_list_is_reported_at_that_item()
    {
        var errors = RefuseParameters("  learning_rate: [0.01, 0, 5]\n");

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "parameters.learning_rate[1]", 6, 25, "0 is out of range");
        Sweeps.Single(errors, "parameters.learning_rate[2]", 6, 28, "5 is out of range");
    }

    [Fact]
    public void Bad_ladder_ends_are_each_reported()
    {
        var errors = RefuseParameters("  learning_rate: {from: 0, to: 5}\n");

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "parameters.learning_rate.from", 6, 25, "0 is out of range; allowed: > 0 and ≤ 1");
        Sweeps.Single(errors, "parameters.learning_rate.to", 6, 32, "5 is out of range; allowed: > 0 and ≤ 1");
    }

    [Fact]
    public void A_ladder_whose_from_is_above_its_to_is_refused()
    {
        var errors = RefuseParameters("  learning_rate: {from: 0.1, to: 0.01}\n");

        Sweeps.Only(errors, "parameters.learning_rate.from", 6, 25, "from (0.1) is greater than to (0.01); allowed: from ≤ to");
    }

    [Fact]
    public void A_learning_rate_ladder_with_no_value_in_range_is_an_empty_grid_and_refused()
    {
        var errors = RefuseParameters("  learning_rate: {from: 0.04, to: 0.05}\n");

        Sweeps.Only(errors, "parameters.learning_rate", 6, 18, "no ladder value lies between 0.04 and 0.05", "1·10^k or 3·10^k");
    }

    [Theory]
    [InlineData("fast", "'fast' is not a number")]
    [InlineData("NaN", "'NaN' is not a number")]
    [InlineData(".inf", "'.inf' is not a number")]
    [InlineData("0,01", "'0,01' is not a number")]
    public void A_learning_rate_that_is_not_a_finite_number_is_refused(string value, string message)
    {
        var errors = RefuseParameters($"  learning_rate: {value}\n");

        Sweeps.Only(errors, "parameters.learning_rate", 6, 18, message, "allowed: > 0 and ≤ 1");
    }

    [Fact]
    public void A_parameter_with_no_value_is_refused_rather_than_silently_defaulted()
    {
        var errors = RefuseParameters("  learning_rate:\n  seed: 1\n");

        Sweeps.Only(errors, "parameters.learning_rate", 6, 17, "no value given");
    }

    // ----- batch sizes -----

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("-16", "-16 is out of range")]
    [InlineData("2.5", "2.5 is not a whole number")]
    [InlineData("big", "'big' is not a number")]
    public void A_batch_size_that_is_not_a_whole_number_of_at_least_1_is_refused(string value, string message)
    {
        var errors = RefuseParameters($"  batch_size: {value}\n");

        Sweeps.Only(errors, "parameters.batch_size", 6, 15, message, "allowed: whole numbers ≥ 1");
    }

    [Fact]
    public void A_batch_ladder_whose_to_is_below_its_from_is_refused()
    {
        var errors = RefuseParameters("  batch_size: {from: 64, to: 16}\n");

        Sweeps.Only(errors, "parameters.batch_size.from", 6, 22, "from (64) is greater than to (16)");
    }

    [Fact]
    public void A_listed_batch_size_larger_than_the_training_images_is_refused_at_that_item()
    {
        // 100 images × 0.75 = 75 training images.
        var errors = RefuseParameters("  batch_size: [32, 128]\n", _ => 100);

        Sweeps.Only(errors, "parameters.batch_size[1]", 6, 20,
            "128 is more than the training images", "allowed: at most the number of training images: 75");
    }

    [Fact]
    public void A_batch_ladder_that_climbs_past_the_training_images_is_refused_once_at_its_to()
    {
        var errors = RefuseParameters("  batch_size: {from: 16, to: 256}\n", _ => 100);

        Sweeps.Only(errors, "parameters.batch_size.to", 6, 30,
            "the ladder reaches batch size 128", "at most the number of training images: 75");
    }

    [Fact]
    public void The_default_batch_size_is_refused_for_a_dataset_too_small_for_it()
    {
        var errors = RefuseParameters("  seed: 1\n", _ => 40);

        Sweeps.Only(errors, "parameters.batch_size", 6, 3,
            "the default batch size 32 is more than the training images", "training images: 30");
    }

    [Fact]
    public void An_image_counter_failure_is_reported_at_dataset_images_with_its_message()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal, SweepPath,
            _ => throw new InvalidDataException("images.gz is not an IDX file: bad magic number 0x1f8b0808"));

        Sweeps.Only(errors, "dataset.images", 3, 11, "images.gz is not an IDX file: bad magic number 0x1f8b0808");
    }

    [Fact]
    public void An_image_counter_failure_is_reported_together_with_parameter_errors()
    {
        var errors = RefuseParameters("  epochs: 0\n", _ => throw new InvalidDataException("truncated header"));

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "dataset.images", 3, 11, "truncated header");
        Sweeps.Single(errors, "parameters.epochs", 6, 11, "0 is out of range");
    }

    [Fact]
    public void The_image_counter_is_not_asked_about_a_dataset_whose_files_are_missing()
    {
        var asked = false;

        var errors = Sweeps.Refuse(Sweeps.Minimal.Replace("labels.gz", "gone.gz"), SweepPath, _ => { asked = true; return 100; });

        Assert.False(asked);
        Sweeps.Only(errors, "dataset.labels", 4, 11, "file not found");
    }

    [Fact]
    public void A_dataset_that_leaves_no_training_image_is_refused()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal, SweepPath, _ => 1);

        Sweeps.Only(errors, "dataset.images", 3, 11, "yields 1 images", "leaves no training image");
    }

    // ----- epochs, seeds, time budgets -----

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("10001", "10001 is out of range")]
    [InlineData("ten", "'ten' is not a number")]
    public void Epochs_outside_1_to_10000_are_refused(string value, string message)
    {
        var errors = RefuseParameters($"  epochs: {value}\n");

        Sweeps.Only(errors, "parameters.epochs", 6, 11, message, "allowed: whole numbers from 1 to 10000");
    }

    [Fact]
    public void A_negative_seed_is_refused()
    {
        var errors = RefuseParameters("  seed: [0, -1]\n");

        Sweeps.Only(errors, "parameters.seed[1]", 6, 13, "-1 is out of range", "allowed: whole numbers from 0");
    }

    [Theory]
    [InlineData("20", "'20' is not a duration")]
    [InlineData("20 minutes", "'20 minutes' is not a duration")]
    [InlineData("30m1h", "'30m1h' is not a duration")]
    [InlineData("0s", "0s is out of range")]
    [InlineData("169h", "169h is out of range")]
    public void A_time_budget_that_is_not_a_positive_duration_is_refused(string value, string message)
    {
        var errors = RefuseParameters($"  epochs: {{max: 50, time_budget: {value}}}\n");

        Sweeps.Only(errors, "parameters.epochs.time_budget", 6, 34, message, "90s, 20m, 1h or 1h30m");
    }

    [Fact]
    public void A_time_budget_without_max_epochs_is_refused()
    {
        var errors = RefuseParameters("  epochs: {time_budget: 20m}\n");

        Sweeps.Only(errors, "parameters.epochs.max", 6, 11, "missing");
    }

    // ----- empty grids and duplicates -----

    [Theory]
    [InlineData("optimizer", 14)]
    [InlineData("seed", 9)]
    [InlineData("learning_rate", 18)]
    public void An_empty_list_is_refused_because_the_grid_would_be_empty(string key, int column)
    {
        var errors = RefuseParameters($"  {key}: []\n");

        Sweeps.Only(errors, $"parameters.{key}", 6, column, "the list is empty");
    }

    [Theory]
    [InlineData("learning_rate: [0.01, 0.03, 1e-2]", "parameters.learning_rate[2]", 31, "1e-2 is listed twice, first at line 6, column 19")]
    [InlineData("optimizer: [Adam, adam]", "parameters.optimizer[1]", 21, "adam is listed twice, first at line 6, column 15")]
    [InlineData("batch_size: [16, 16]", "parameters.batch_size[1]", 20, "16 is listed twice")]
    [InlineData("seed: [1, 2, 1]", "parameters.seed[2]", 16, "1 is listed twice")]
    public void A_value_listed_twice_is_refused_rather_than_run_twice(string line, string field, int column, string message)
    {
        var errors = RefuseParameters($"  {line}\n");

        Sweeps.Only(errors, field, 6, column, message, "allowed: each value once");
    }

    [Fact]
    public void A_ladder_is_refused_for_parameters_that_have_none()
    {
        var errors = RefuseParameters("  seed: {from: 1, to: 4}\n");

        Sweeps.Only(errors, "parameters.seed", 6, 9, "found a mapping");
    }

    [Fact]
    public void A_list_inside_a_list_is_refused_at_the_inner_list()
    {
        var errors = RefuseParameters("  seed: [[1, 2]]\n");

        Sweeps.Only(errors, "parameters.seed[0]", 6, 10, "found a list");
    }

    [Fact]
    public void A_grid_too_large_to_ever_finish_is_refused_with_its_size()
    {
        var errors = RefuseParameters("""
              optimizer: [Adadelta, Adagrad, Adam, Adamax, Momentum, RMSProp, StochasticGradientDescent]
              loss: [AbsoluteDifference, CategoricalCrossEntropy, Hinge, Huber, Log, MeanSquaredError, SigmoidCrossEntropy]
              learning_rate: {from: 0.000000001, to: 1}
              batch_size: {from: 1, to: 1024}
              epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

            """);

        Sweeps.Only(errors, "parameters", 6, 3, "the grid has 102410 trials", "allowed: at most 100000");
    }

    // ----- the dataset -----

    [Fact]
    public void A_missing_dataset_is_refused()
    {
        var errors = Sweeps.Refuse("name: nothing-to-train-on\nparameters:\n  seed: 1\n", SweepPath);

        Sweeps.Only(errors, "dataset", 1, 1, "missing", "images:", "labels:");
    }

    [Fact]
    public void A_dataset_without_images_and_labels_reports_both()
    {
        var errors = Sweeps.Refuse("dataset:\n  kind: idx\n", SweepPath);

        Assert.Equal(2, errors.Count);
        Sweeps.Single(errors, "dataset.images", 2, 3, "missing");
        Sweeps.Single(errors, "dataset.labels", 2, 3, "missing");
    }

    [Fact]
    public void A_dataset_given_as_a_single_value_is_refused()
    {
        var errors = Sweeps.Refuse("dataset: fashion-mnist\n", SweepPath);

        Sweeps.Only(errors, "dataset", 1, 10, "expected a mapping with kind: idx, images: and labels:", "found 'fashion-mnist'");
    }

    [Fact]
    public void A_dataset_file_that_does_not_exist_is_refused_naming_the_resolved_path()
    {
        var yaml = """
            dataset:
              kind: idx
              images: images.gz
              labels: data/train-labels.gz
            """;

        var errors = Sweeps.Refuse(yaml, SweepPath);

        Sweeps.Only(errors, "dataset.labels", 4, 11,
            $"file not found: {Path.Combine(_folder.Root, "data", "train-labels.gz")}", "written 'data/train-labels.gz'");
    }

    [Theory]
    [InlineData("0.05", "0.05 is out of range")]
    [InlineData("1", "1 is out of range")]
    [InlineData("75%", "'75%' is not a number")]
    public void A_training_percentage_outside_0_1_to_0_99_is_refused(string value, string message)
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\n  training_percentage: {value}\n", SweepPath);

        Sweeps.Only(errors, "dataset.training_percentage", 5, 24, message, "allowed: 0.1 to 0.99");
    }

    [Theory]
    [InlineData("1", "1 is out of range")]
    [InlineData("100.5", "100.5 is not a whole number")]
    public void A_subset_of_fewer_than_2_images_or_a_fraction_is_refused(string value, string message)
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\n  subset: {value}\n", SweepPath);

        Sweeps.Only(errors, "dataset.subset", 5, 11, message, "allowed: a whole number ≥ 2");
    }

    // ----- all at once -----

    [Fact]
    public void Every_error_of_a_file_is_reported_at_once_in_file_order()
    {
        var yaml = $"""
            name: bad name
            dataset:
              kind: idx
              images: missing-images.gz
              labels: {_folder.Labels}
            parameters:
              optimizer: Adamw
              learning_rate: [0.01, 5]
              batch_size: 0
              epochs: 0
              seeds: 1
            """;

        var exception = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, yaml, "sweeps/x.yaml"));

        Assert.Equal(
            ["name", "dataset.images", "parameters.optimizer", "parameters.learning_rate[1]", "parameters.batch_size",
             "parameters.epochs", "parameters.seeds"],
            exception.Errors.Select(e => e.Field));
        Assert.Equal([1, 4, 7, 8, 9, 10, 11], exception.Errors.Select(e => e.Line));
        Assert.Equal(string.Join(Environment.NewLine, exception.Errors), exception.Message);
        Assert.StartsWith("sweeps/x.yaml:1:7: name: 'bad name' is not a valid name", exception.Message, StringComparison.Ordinal);
        Assert.Contains("sweeps/x.yaml:8:25: parameters.learning_rate[1]: 5 is out of range; allowed: > 0 and ≤ 1",
            exception.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'seed'?", exception.Errors[^1].Message, StringComparison.Ordinal);
    }
}
