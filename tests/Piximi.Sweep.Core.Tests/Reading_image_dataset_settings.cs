namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_image_dataset_settings : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Parse(string dataset) => SweepFile.Parse(LocalDisk.Instance, "dataset:\n" + dataset, _folder.SweepPath());

    private string[] Errors(string dataset) =>
        [.. Assert.Throws<SweepFileException>(() => Parse(dataset)).Errors.Select(e => $"{e.Line}:{e.Column}: {e.Field}: {e.Message}")];

    [Fact]
    public void Reads_a_folder_dataset_with_its_input_shape()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Root, "cells"));

        var spec = Parse("  kind: folder\n  images: cells\n  input_shape: {height: 50, width: 40, channels: 2, planes: 1}\n").Definition.Dataset;

        Assert.Equal(DatasetSpec.Folder, spec.Kind);
        Assert.Equal(Path.Combine(_folder.Root, "cells"), spec.Images);
        Assert.Null(spec.Labels);
        Assert.Equal(new InputShape(50, 40, 2), spec.InputShape);
        Assert.False(spec.SkipBadImages);
    }

    [Fact]
    public void Takes_an_input_shape_for_idx_too_and_none_by_default()
    {
        const string idx = "  kind: idx\n  images: images.gz\n  labels: labels.gz\n";

        Assert.Null(Parse(idx).Definition.Dataset.InputShape);
        Assert.Equal(new InputShape(20, 20, 1), Parse(idx + "  input_shape: {height: 20, width: 20, channels: 1}\n").Definition.Dataset.InputShape);
        Assert.Equal(["5:50: dataset.input_shape.channels: IDX images are grey (1 channel), not 3; allowed: 1"],
            Errors(idx + "  input_shape: {height: 20, width: 20, channels: 3}\n"));
    }

    [Fact]
    public void Refuses_a_missing_folder_a_labels_file_a_missing_input_shape_and_bad_sizes()
    {
        File.WriteAllText(Path.Combine(_folder.Root, "file.png"), "");
        Directory.CreateDirectory(Path.Combine(_folder.Root, "cells"));

        Assert.Equal([$"3:11: dataset.images: folder not found: {Path.Combine(_folder.Root, "nowhere")} (written 'nowhere', relative to {_folder.Root}); allowed: a folder of <class name>/<image> files (.png, .jpg, .jpeg, .tif, .tiff)"],
            Errors("  kind: folder\n  images: nowhere\n  input_shape: {height: 20, width: 20, channels: 1}\n"));
        Assert.Contains("is a file", Assert.Single(Errors("  kind: folder\n  images: file.png\n  input_shape: {height: 20, width: 20, channels: 1}\n")));
        Assert.Equal(
        [
            "2:3: dataset.input_shape: missing; a folder's images may differ in size, so every image is resized to it; allowed: a mapping such as {height: 28, width: 28, channels: 1}",
            "4:3: dataset.labels: kind: folder takes no labels file: each image's class is the name of its sub-folder; allowed: no labels: key",
        ], Errors("  kind: folder\n  images: cells\n  labels: labels.gz\n"));
        Assert.Equal(
        [
            "4:25: dataset.input_shape.height: 15 is out of range; allowed: a whole number from 16 to 1024 (SimpleCNN needs at least 16×16; Piximi's own minimum is 20×20)",
            "4:52: dataset.input_shape.channels: 5 is out of range; allowed: a whole number from 1 to 4",
            "4:63: dataset.input_shape.planes: '3' planes: images with several planes (z-stacks) are not supported; allowed: 1",
        ], Errors("  kind: folder\n  images: cells\n  input_shape: {height: 15, width: 1024, channels: 5, planes: 3}\n"));
        Assert.Equal(["4:16: dataset.input_shape.width: missing; allowed: a whole number from 16 to 1024 (SimpleCNN needs at least 16×16; Piximi's own minimum is 20×20)"],
            Errors("  kind: folder\n  images: cells\n  input_shape: {height: 20, channels: 1}\n"));
    }
}
