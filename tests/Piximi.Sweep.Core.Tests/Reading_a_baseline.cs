namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_baseline : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The minimal file (lines 1–4), then <c>baseline:</c> at line 5 with <paramref name="body"/>.</summary>
    private LoadedSweep Read(string body, string extra = "") =>
        SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nbaseline:" + body + "\n" + extra, _folder.SweepPath());

    private IReadOnlyList<SweepFileError> Refuse(string body, Func<DatasetSpec, int>? countImages = null) =>
        Sweeps.Refuse(Sweeps.Minimal + "\nbaseline:" + body + "\n", _folder.SweepPath(), countImages);

    [Fact]
    public void Every_key_is_read_in_the_spelling_the_parameters_use()
    {
        var baseline = Read("\n  optimizer: stochasticgradientdescent\n  loss: hinge\n  learning_rate: 3e-3\n  batch_size: 64.0\n  epochs: 4\n  model: mobilenet")
            .Definition.Baseline;

        Assert.Equal(new BaselineSpec(OptimizerKind.StochasticGradientDescent, LossKind.Hinge, 0.003, 64, 4, ModelKind.MobileNet), baseline);
    }

    [Fact]
    public void Keys_left_out_take_piximis_defaults()
    {
        var baseline = Read(" {learning_rate: 0.001}").Definition.Baseline;

        Assert.Equal(new BaselineSpec(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.001, 32, 10, ModelKind.SimpleCNN), baseline);
        Assert.Equal(BaselineSpec.PiximiDefaults, Read(" {}").Definition.Baseline);
        Assert.Equal(BaselineSpec.PiximiDefaults, Read("").Definition.Baseline);
    }

    [Fact]
    public void A_sweep_without_a_baseline_stores_the_same_definition_as_before_and_one_with_a_baseline_another()
    {
        var without = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\n", _folder.SweepPath()).Definition;
        var with = Read(" {learning_rate: 0.001}").Definition;

        Assert.Null(without.Baseline);
        Assert.DoesNotContain("baseline", SweepJson.Serialize(without), StringComparison.Ordinal);
        var json = SweepJson.Serialize(with);
        Assert.Contains("\"baseline\":{\"optimizer\":\"Adam\",", json, StringComparison.Ordinal);
        Assert.Equal(json, SweepJson.Serialize(SweepJson.Deserialize(json)));
        Assert.Equal(with.Baseline, SweepJson.Deserialize(json).Baseline);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_with_its_place_field_and_allowed_range()
    {
        var errors = Refuse("\n  optimizer: Adamm\n  learning_rate: 5\n  batch_size: 0\n  epochs: 2.5\n  model: ResNet\n  seed: 3");

        Assert.Equal(6, errors.Count);
        Sweeps.Single(errors, "baseline.optimizer", 6, 14, "unknown optimizer 'Adamm'; did you mean 'Adam'?", "allowed: Adadelta, Adagrad, Adam");
        Sweeps.Single(errors, "baseline.learning_rate", 7, 18, "5 is out of range; allowed: > 0 and ≤ 1");
        Sweeps.Single(errors, "baseline.batch_size", 8, 15, "0 is out of range; allowed: whole numbers ≥ 1");
        Sweeps.Single(errors, "baseline.epochs", 9, 11, "2.5 is not a whole number; allowed: whole numbers from 1 to 10000");
        Sweeps.Single(errors, "baseline.model", 10, 10, "unknown model 'ResNet'", "allowed: SimpleCNN, MobileNet");
        // The seed is the sweep's: the baseline runs once per seed, like any setting.
        Sweeps.Single(errors, "baseline.seed", 11, 3, "unknown key 'seed'", "allowed: optimizer, loss, learning_rate, batch_size, epochs, model");
    }

    [Fact]
    public void A_list_or_a_ladder_is_refused_the_baseline_is_one_setting()
    {
        var errors = Refuse("\n  optimizer: [Adam, RMSProp]\n  learning_rate: {from: 0.001, to: 0.01}");

        Sweeps.Single(errors, "baseline.optimizer", 6, 14, "expected one value, one of Adadelta", "found a list");
        Sweeps.Single(errors, "baseline.learning_rate", 7, 18, "expected one value, a learning rate > 0 and ≤ 1", "found a mapping");
    }

    [Fact]
    public void A_baseline_that_is_not_a_mapping_is_refused()
    {
        var errors = Refuse(" Adam");

        Sweeps.Only(errors, "baseline", 5, 11, "expected a mapping of one value each of optimizer, loss, learning_rate");
    }

    [Fact]
    public void Its_batch_size_must_fit_the_training_images_like_the_parameters_and_its_default_too()
    {
        // 40 images × 0.75 = 30 training images.
        var given = Refuse("\n  batch_size: 64", _ => 40);
        var defaulted = Refuse(" {learning_rate: 0.001}", _ => 40);

        Sweeps.Single(given, "baseline.batch_size", 6, 15, "64 is more than the training images; allowed: at most the number of training images: 30");
        Sweeps.Single(defaulted, "baseline.batch_size", 5, 11, "the default batch size 32 is more than the training images");
    }

    [Fact]
    public void A_weights_and_biases_file_with_a_baseline_is_refused_saying_it_is_for_native_files()
    {
        var wandb = "method: random\nrun_cap: 3\nmetric: {name: val_accuracy, goal: maximize}\n"
            + $"piximi: {{dataset: {{kind: idx, images: {_folder.Images}, labels: {_folder.Labels}}}}}\n"
            + "parameters:\n  lr: {values: [0.01]}\nbaseline: {learning_rate: 0.01}\n";

        var errors = Sweeps.Refuse(wandb, _folder.SweepPath());

        Sweeps.Only(errors, "baseline", 7, 1, "baseline: is a key of native sweep files only", "write the sweep as a native file");
    }
}
