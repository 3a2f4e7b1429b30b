using ImageMagick;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests.Images;

public sealed class Decoding_an_image : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("piximi-images-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string At(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Reads_an_8_bit_grey_png_as_one_channel_scaled_by_255()
    {
        TestImages.GreyPng(At("a.png"), 4, 3, seed: 250);

        var image = ImageDecoder.Decode(At("a.png"));

        Assert.Equal((3, 4, 1, 8), (image.Height, image.Width, image.Channels, image.BitDepth));
        Assert.Equal(250 / 255f, image.Pixels[0]);
        Assert.Equal(255 / 255f, image.Pixels[5]);
        Assert.Equal(0f, image.Pixels[6]);
    }

    [Fact]
    public void Reads_rgb_and_rgba_pngs_channel_first()
    {
        byte[] rgba = [10, 20, 30, 255, 40, 50, 60, 128];
        TestImages.Magick(At("rgba.png"), 2, 1, "RGBA", rgba, MagickFormat.Png);
        TestImages.Magick(At("rgb.png"), 2, 1, "RGB", [10, 20, 30, 40, 50, 60], MagickFormat.Png);

        var four = ImageDecoder.Decode(At("rgba.png"));
        var three = ImageDecoder.Decode(At("rgb.png"));

        Assert.Equal(4, four.Channels);
        Assert.Equal(new[] { 10, 40, 20, 50, 30, 60, 255, 128 }.Select(v => v / 255f), four.Pixels);
        Assert.Equal(3, three.Channels);
        Assert.Equal(new[] { 10, 40, 20, 50, 30, 60 }.Select(v => v / 255f), three.Pixels);
    }

    [Fact]
    public void Reads_a_jpeg_within_its_compression_error()
    {
        var pixels = Enumerable.Range(0, 16 * 16 * 3).Select(i => (byte)(i % 3 == 0 ? 200 : 60)).ToArray();
        TestImages.Magick(At("c.JPG"), 16, 16, "RGB", pixels, MagickFormat.Jpeg);

        var image = ImageDecoder.Decode(At("c.JPG"));

        Assert.Equal((16, 16, 3, 8), (image.Height, image.Width, image.Channels, image.BitDepth));
        Assert.InRange(image.Pixels[0], 190 / 255f, 210 / 255f);
        Assert.InRange(image.Pixels[256], 50 / 255f, 70 / 255f);
    }

    [Fact]
    public void Reads_a_16_bit_tiff_exactly()
    {
        ushort[] values = [0, 1, 257, 32768, 65534, 65535];
        TestImages.Tiff16(At("d.tif"), 3, 2, 1, values);

        var image = ImageDecoder.Decode(At("d.tif"));

        Assert.Equal((2, 3, 1, 16), (image.Height, image.Width, image.Channels, image.BitDepth));
        Assert.Equal(values.Select(v => v / 65535f), image.Pixels);
        Assert.Equal(1f, image.Pixels[5]);
        Assert.Equal(257 / 65535f, image.Pixels[2]);
    }

    [Fact]
    public void Reads_tiled_and_multi_channel_tiffs_of_8_and_16_bits()
    {
        // 20×18 in 16×16 tiles: the right and bottom tiles are partly outside the image.
        var rgb = Enumerable.Range(0, 20 * 18 * 3).Select(i => (ushort)(i * 61 % 65536)).ToArray();
        TestImages.Tiff16(At("tiled.tiff"), 20, 18, 3, rgb, tile: 16);
        var greyAlpha = Enumerable.Range(0, 5 * 2 * 2).Select(i => (ushort)(i * 13)).ToArray();
        TestImages.Tiff16(At("ga8.TIF"), 5, 2, 2, greyAlpha, bits: 8);

        var tiled = ImageDecoder.Decode(At("tiled.tiff"));
        var small = ImageDecoder.Decode(At("ga8.TIF"));

        var plane = 20 * 18;
        Assert.Equal(3, tiled.Channels);
        for (var p = 0; p < plane; p++)
            for (var c = 0; c < 3; c++)
                Assert.Equal(rgb[p * 3 + c] / 65535f, tiled.Pixels[c * plane + p]);
        Assert.Equal((2, 8), (small.Channels, small.BitDepth));
        Assert.Equal(greyAlpha[3] / 255f, small.Pixels[10 + 1]); // pixel 1's alpha
    }

    [Fact]
    public void Reads_a_16_bit_png_rounded_to_8_bits_as_documented()
    {
        // Magick.NET-Q8 keeps 8 bits: 300 / 65535 comes back as round(300 / 257) / 255 = 1 / 255.
        TestImages.GreyPng16(At("e.png"), 2, 1, [300, 65535]);

        var image = ImageDecoder.Decode(At("e.png"));

        Assert.Equal((1, 16), (image.Channels, image.BitDepth));
        Assert.Equal([1 / 255f, 1f], image.Pixels);
    }

    [Fact]
    public void Refuses_a_truncated_png_and_a_file_that_is_not_what_its_extension_says()
    {
        TestImages.GreyPng(At("f.png"), 64, 64);
        TestImages.Truncate(At("f.png"));
        File.WriteAllText(At("g.tif"), "not a tiff");

        var png = Assert.Throws<BadImageException>(() => ImageDecoder.Decode(At("f.png")));
        var tiff = Assert.Throws<BadImageException>(() => ImageDecoder.Decode(At("g.tif")));

        Assert.StartsWith("not a readable PNG image (CorruptImageError", png.Message);
        Assert.StartsWith("not a readable TIFF image (", tiff.Message);
    }
}

public sealed class Reading_an_image_folder : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("piximi-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string At(string relative) => Path.Combine(_root, relative);

    private DatasetSpec Spec(int channels = 1, bool skip = false, int size = 8) =>
        new(DatasetSpec.Folder, _root, null, 0.75, null) { InputShape = new InputShape(size, size, channels), SkipBadImages = skip };

    /// <summary>The issue's folder: 8-bit PNGs, 16-bit TIFFs and one truncated PNG, in two classes.</summary>
    private void IssueFolder()
    {
        TestImages.GreyPng(At("cat/1.png"), 8, 8, seed: 1);
        TestImages.GreyPng(At("cat/2.png"), 16, 12, seed: 2);
        TestImages.Tiff16(At("dog/1.tif"), 8, 8, 1, [.. Enumerable.Repeat((ushort)65535, 64)]);
        TestImages.Tiff16(At("dog/2.TIFF"), 4, 4, 1, [.. Enumerable.Repeat((ushort)257, 16)]);
        TestImages.GreyPng(At("dog/3.png"), 64, 64);
        TestImages.Truncate(At("dog/3.png"));
    }

    [Fact]
    public void Refuses_a_corrupt_image_naming_it_and_skips_it_when_asked()
    {
        IssueFolder();

        var error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec()));
        var loadError = Assert.Throws<DatasetException>(() => ImageDataset.Load(Spec()));

        Assert.Contains($"{_root}: 1 problem(s) with the images", error.Message);
        Assert.Contains("at least 2 per class, or skip and count them:", error.Message); // Training knows no flags: the CLI names its own
        Assert.NotNull(error.Refused);
        Assert.Contains($"  {At("dog/3.png")}: not a readable PNG image (CorruptImageError", error.Message);
        Assert.Equal(error.Message, loadError.Message);

        var check = ImageFolder.Check(Spec(skip: true));
        var images = ImageFolder.Load(Spec(skip: true));
        using var data = ImageDataset.Load(Spec(skip: true));
        Assert.Equal(4, check.Count);
        Assert.Equal(1, check.SkippedImages);
        Assert.Equal(At("dog/3.png"), Assert.Single(check.Skipped).Path);
        Assert.Equal(1, images.Skipped);
        Assert.Equal(["cat", "dog"], images.ClassNames);
        Assert.Equal([0L, 0, 1, 1], images.Labels);
        Assert.Equal((4, 1, 8, 8), (data.Count, data.Channels, data.Height, data.Width));
        // 16-bit TIFFs scaled by 65535, exactly; the 4×4 one resized (a constant image stays constant).
        Assert.All(images.Pixels.AsSpan(2 * 64, 64).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(images.Pixels.AsSpan(3 * 64, 64).ToArray(), v => Assert.Equal(257 / 65535f, v));
        // The first PNG at its own size: copied as decoded.
        Assert.Equal(1 / 255f, images.Pixels[0]);
    }

    [Fact]
    public void Lists_every_problem_wrong_channels_and_short_classes_included_and_ignores_other_files_visibly()
    {
        TestImages.GreyPng(At("a/1.png"), 8, 8);
        TestImages.Magick(At("a/2.png"), 2, 1, "RGB", [1, 2, 3, 4, 5, 6], MagickFormat.Png);
        TestImages.GreyPng(At("a/3.png"), 8, 8);
        TestImages.GreyPng(At("b/1.png"), 8, 8);
        TestImages.GreyPng(At("c/1.png"), 8, 8);
        TestImages.Magick(At("c/2.jpeg"), 8, 8, "R", new byte[64], MagickFormat.Jpeg);
        Directory.CreateDirectory(At("empty"));
        File.WriteAllText(At("a/notes.txt"), "hello");
        File.WriteAllText(At("README"), "hello");

        var error = Assert.Throws<DatasetException>(() => ImageFolder.Check(Spec()));
        var check = ImageFolder.Check(Spec(skip: true));

        Assert.Contains("3 problem(s)", error.Message);
        Assert.Contains($"{At("a/2.png")}: has 3 channel(s), the input shape expects 1", error.Message);
        Assert.Contains($"{At("b")}{Path.DirectorySeparatorChar}: class 'b' has 1 usable image(s); a class needs at least 2", error.Message);
        Assert.Contains($"{At("empty")}{Path.DirectorySeparatorChar}: class 'empty' has 0 usable image(s)", error.Message);
        Assert.Equal(["a", "c"], check.Classes);
        Assert.Equal(4, check.Count);
        Assert.Equal(2, check.SkippedImages); // a/2.png and b/1.png
        Assert.Equal([At("README"), At("a/notes.txt")], check.Ignored);
    }

    [Fact]
    public void Refuses_a_missing_root_an_empty_folder_a_single_class_and_no_input_shape()
    {
        var missing = new DatasetSpec(DatasetSpec.Folder, At("nowhere"), null, 0.75, null) { InputShape = new InputShape(8, 8, 1) };
        Assert.Equal($"{At("nowhere")}: folder not found.", Assert.Throws<DatasetException>(() => ImageFolder.Check(missing)).Message);

        Assert.StartsWith($"{_root}: no labelled images; expected <class name>/<image> with .png, .jpg, .jpeg, .tif, .tiff files",
            Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec())).Message);

        TestImages.GreyPng(At("only/1.png"), 8, 8);
        TestImages.GreyPng(At("only/2.png"), 8, 8);
        TestImages.GreyPng(At("short/1.png"), 8, 8);
        Assert.Contains("only one class ('only') has images after skipping bad images; a classifier needs at least 2 classes",
            Assert.Throws<DatasetException>(() => ImageFolder.Check(Spec(skip: true))).Message);

        Assert.Contains("needs an input shape", Assert.Throws<DatasetException>(() => ImageFolder.Check(Spec() with { InputShape = null })).Message);
    }

    [Fact]
    public void Takes_the_subset_from_the_usable_images()
    {
        for (var i = 0; i < 5; i++)
        {
            TestImages.GreyPng(At($"x/{i}.png"), 8, 8, seed: i);
            TestImages.GreyPng(At($"y/{i}.png"), 8, 8, seed: 100 + i);
        }

        Assert.Equal(6, ImageDataset.CountImages(Spec() with { Subset = 6 }));
        using var data = ImageDataset.Load(Spec(size: 20) with { Subset = 6 });
        Assert.Equal((6, 20, 20), (data.Count, data.Height, data.Width));
        Assert.Contains("larger than", Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec() with { Subset = 11 })).Message);
    }
}
