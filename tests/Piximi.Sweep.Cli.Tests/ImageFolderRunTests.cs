using ImageMagick;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

public sealed class Running_a_sweep_on_an_image_folder
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Two classes of 12 grey PNGs each, of two sizes (resized to the input shape): bright squares on dark, and dark
    /// on bright, so that one epoch learns something. Returns the sweep file.
    /// </summary>
    private static string FolderSweep(TestFolder folder, string name)
    {
        for (var i = 0; i < 12; i++)
        {
            Png(Path.Combine(folder.Path, "images", "bright", $"{i:00}.png"), 20 + i % 2 * 6, v => (byte)(v ? 220 - i : 30 + i));
            Png(Path.Combine(folder.Path, "images", "dark", $"{i:00}.PNG"), 20 + i % 2 * 6, v => (byte)(v ? 30 + i : 220 - i));
        }
        return folder.Write($"{name}.yaml", $"""
            name: {name}
            dataset:
              kind: folder
              images: images
              input_shape: {"{"}height: 20, width: 20, channels: 1{"}"}
              training_percentage: 0.75
            parameters:
              optimizer: Adam
              learning_rate: 0.01
              batch_size: 4
              epochs: 1
              seed: 3
            """);
    }

    private static void Png(string path, int side, Func<bool, byte> value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new byte[side * side];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                pixels[y * side + x] = value(x > side / 4 && x < side * 3 / 4 && y > side / 4 && y < side * 3 / 4);
        using var image = new MagickImage(pixels, new PixelReadSettings((uint)side, (uint)side, StorageType.Char, "I")) { ColorType = ColorType.Grayscale };
        image.Write(path, MagickFormat.Png);
    }

    [Fact]
    public async Task Trains_an_epoch_with_the_folders_as_classes()
    {
        using var folder = new TestFolder();
        var file = FolderSweep(folder, "folder");

        var validate = await Cli.RunAsync("validate", file);
        var result = await Cli.RunAsync("run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains($"Dataset: folder {Path.Combine(folder.Path, "images")} (training percentage 0.75, input shape 20×20×1)", validate.Output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("trial 1 epoch 1/1", result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("folder")!;
        Assert.Equal(new InputShape(20, 20, 1), sweep.Definition.Dataset.InputShape);
        Assert.False(sweep.Definition.Dataset.SkipBadImages);
        Assert.Equal(TrialState.Completed, Assert.Single(store.ListTrials(sweep.Id)).State);
    }

    [Fact]
    public async Task Refuses_a_corrupt_image_by_name_storing_nothing_and_skips_it_with_skip_bad_images()
    {
        using var folder = new TestFolder();
        var file = FolderSweep(folder, "corrupt");
        var corrupt = Path.Combine(folder.Path, "images", "dark", "05.PNG");
        var bytes = File.ReadAllBytes(corrupt);
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);
        File.WriteAllText(Path.Combine(folder.Path, "images", "dark", "Thumbs.db"), "not an image");

        var refused = await Cli.RunAsync("run", file, "--db", folder.Db);
        var nothingStored = !File.Exists(folder.Db);
        var skipped = await Cli.RunAsync("run", file, "--db", folder.Db, "--workers", "1", "--skip-bad-images");

        Assert.True(refused.ExitCode == ExitCodes.BadInput, refused.ToString());
        Assert.Contains($"{file}:4:11: dataset.images: {Path.Combine(folder.Path, "images")}: 1 problem(s) with the images", refused.Error);
        Assert.Contains($"  {corrupt}: not a readable PNG image (CorruptImageError", refused.Error);
        Assert.Contains("at least 2 per class, or --skip-bad-images to skip and count them:", refused.Error); // the CLI's words for Training's offer
        Assert.Contains("nothing was run or stored", refused.Error);
        Assert.True(nothingStored, "the refused run created the store");

        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Contains($"Skipped 1 bad image(s) (--skip-bad-images): {corrupt}: not a readable PNG image", skipped.Output);
        Assert.Contains($"note: 1 file(s) or folder(s) in the image folder are not <class name>/<image> files (.png, .jpg, .jpeg, .tif, .tiff) and were left out: {Path.Combine(folder.Path, "images", "dark", "Thumbs.db")}", skipped.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("corrupt")!;
        Assert.True(sweep.Definition.Dataset.SkipBadImages);
        Assert.Equal(TrialState.Completed, Assert.Single(store.ListTrials(sweep.Id)).State);
        var log = File.ReadAllText(Path.Combine(Path.GetDirectoryName(folder.Db)!, "corrupt.log"));
        Assert.Contains("Skipped 1 bad image(s)", log);
    }
}
