namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// What the data must fit, read with the file: <c>dataset.classes</c> (IDX class names), and every model the sweep trains
/// against the shape the dataset check says the images train at (<see cref="ModelInputs"/>).
/// </summary>
public sealed class Fitting_the_data : IDisposable
{
    private static readonly DatasetFacts Grey28 = new(new InputShape(28, 28, 1), 1000, 0);

    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Parse(string yaml, DatasetFacts? facts = null) =>
        SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath(), _ => facts ?? Grey28);

    private IReadOnlyList<SweepFileError> Refuse(string yaml, DatasetFacts? facts = null) =>
        Assert.Throws<SweepFileException>(() => Parse(yaml, facts)).Errors;

    private const string FashionClasses = "[T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot]";

    [Fact]
    public void Classes_name_the_idx_labels_in_order_and_are_part_of_the_stored_definition()
    {
        var named = Parse(Sweeps.Minimal + $"\n  classes: {FashionClasses}\n");
        var plain = Parse(Sweeps.Minimal);

        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], named.Definition.Dataset.Classes);
        Assert.Contains("\"classes\":[\"T-shirt/top\",", SweepJson.Serialize(named.Definition), StringComparison.Ordinal);
        Assert.Equal(named.Definition.Dataset.Classes, SweepJson.Deserialize(SweepJson.Serialize(named.Definition)).Dataset.Classes);
        // Without classes: the definition (and so the stored sweep's identity) is what it was before the key existed.
        Assert.Null(plain.Definition.Dataset.Classes);
        Assert.DoesNotContain("classes", SweepJson.Serialize(plain.Definition), StringComparison.Ordinal);
        Assert.NotEqual(SweepJson.Identity(plain.Definition), SweepJson.Identity(named.Definition));
    }

    [Fact]
    public void Classes_are_refused_when_not_a_list_of_two_or_more_different_names()
    {
        Sweeps.Only(Refuse(Sweeps.Minimal + "\n  classes: Coat\n"), "dataset.classes", 5, 12, "expected a list of at least 2 class names", "found 'Coat'");
        Sweeps.Only(Refuse(Sweeps.Minimal + "\n  classes: [Coat]\n"), "dataset.classes", 5, 12, "1 class name(s); allowed: a list of at least 2");
        var errors = Refuse(Sweeps.Minimal + "\n  classes: [Coat, Bag, Coat, '  ']\n");
        Sweeps.Single(errors, "dataset.classes[2]", 5, 24, "'Coat' is listed twice, first at line 5, column 13; allowed: each class name once");
        Sweeps.Single(errors, "dataset.classes[3]", 5, 30, "an empty class name");
        Assert.Equal(2, errors.Count);
    }

    [Theory]
    [InlineData("folder", "its classes are the names of its sub-folders")]
    [InlineData("piximi", "its classes are the project's categories")]
    public void Classes_are_refused_for_datasets_that_name_their_own(string kind, string why)
    {
        _folder.Write("cells/a/x.png", "");
        var images = kind == "folder" ? "cells" : "images.gz";
        var shape = kind == "folder" ? "\n  input_shape: {height: 28, width: 28, channels: 1}" : "";

        var errors = Refuse($"dataset:\n  kind: {kind}\n  images: {images}{shape}\n  classes: [a, b]\n");

        Sweeps.Single(errors, "dataset.classes", kind == "folder" ? 5 : 4, 3, $"only for kind: idx, not kind: {kind}: {why}");
    }

    [Fact]
    public void MobileNet_on_the_data_s_own_28_by_28_is_refused_at_the_model_with_the_minimum_and_the_fix()
    {
        var error = Sweeps.Only(Refuse(Sweeps.Minimal + "\nmodel: MobileNet\n"), "model", 5, 8);

        Assert.Equal("MobileNet needs images of at least 63×63 pixels with 1 channel (31×31 with 3 channels), but this dataset's are 28×28×1 "
            + "(the IDX images' own size), so no trial of it could be built; allowed: a model that takes 28×28×1 images, or "
            + "dataset.input_shape: {height: 63, width: 63, channels: 1} or larger, to which every image is resized", error.Message);
    }

    [Fact]
    public void Every_model_of_the_sweep_is_checked_each_at_its_own_place_and_the_baseline_s_too()
    {
        var errors = Refuse(Sweeps.Minimal + "\nparameters:\n  model: [SimpleCNN, MobileNet]\nbaseline:\n  model: MobileNet\n");

        Sweeps.Single(errors, "parameters.model[1]", 6, 22, "MobileNet needs images of at least 63×63");
        Sweeps.Single(errors, "baseline.model", 8, 10, "MobileNet needs images of at least 63×63");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_shape_large_enough_passes_and_colour_lowers_mobilenet_s_minimum()
    {
        Parse(Sweeps.Minimal + "\nmodel: MobileNet\n", Grey28 with { InputShape = new InputShape(63, 64, 1) });
        Parse(Sweeps.Minimal + "\nmodel: MobileNet\n", Grey28 with { InputShape = new InputShape(31, 31, 3) });

        var error = Sweeps.Only(Refuse(Sweeps.Minimal + "\nmodel: MobileNet\n", Grey28 with { InputShape = new InputShape(31, 30, 3) }), "model", 5, 8);
        Assert.StartsWith("MobileNet needs images of at least 31×31 pixels with 3 channels (63×63 with any other count), but this dataset's are 31×30×3", error.Message);
    }

    [Fact]
    public void The_default_model_is_checked_too_and_blamed_on_the_file()
    {
        var error = Sweeps.Only(Refuse(Sweeps.Minimal, Grey28 with { InputShape = new InputShape(10, 10, 1) }), "model", 1, 1);

        Assert.StartsWith("the default model SimpleCNN needs images of at least 16×16 pixels, but this dataset's are 10×10×1", error.Message);
    }

    [Fact]
    public void Without_a_dataset_check_the_input_shape_alone_is_checked()
    {
        _folder.Write("cells/a/x.png", "");
        const string folder = "dataset:\n  kind: folder\n  images: cells\n  input_shape: {height: 32, width: 32, channels: 1}\nmodel: MobileNet\n";

        var error = Sweeps.Only(Sweeps.Refuse(folder, _folder.SweepPath()), "model", 5, 8);

        Assert.Contains("but this dataset's are 32×32×1 (dataset.input_shape)", error.Message, StringComparison.Ordinal);
        Assert.Contains("dataset.input_shape: {height: 63, width: 63, channels: 1}", error.Message, StringComparison.Ordinal);
        // A counter that says only how many images there are leaves an IDX dataset's shape unknown: nothing to check.
        SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nmodel: MobileNet\nparameters: {epochs: 100}\n", _folder.SweepPath(), _ => 1000);
    }

    [Fact]
    public void A_weights_and_biases_file_s_model_is_checked_against_the_data_too()
    {
        var yaml = "method: grid\nparameters:\n  lr: {value: 0.01}\n  model: {values: [SimpleCNN, MobileNet]}\npiximi:\n  dataset: {kind: idx, images: images.gz, labels: labels.gz}\n";

        var errors = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, yaml, _folder.SweepPath("wb.yaml"), _ => Grey28)).Errors;

        Sweeps.Only(errors, "parameters.model", 4, 3, "MobileNet needs images of at least 63×63");
    }
}
