using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

public sealed class Resizing_an_image
{
    [Fact]
    public void Upsamples_as_tensorflow_js_resize_bilinear_does_without_aligned_corners()
    {
        // tf.image.resizeBilinear([[0, 1], [2, 3]], [4, 4]) samples at 0, 0.5, 1, 1.5 and repeats the last row and column.
        float[] source = [0, 1, 2, 3];
        var target = new float[16];

        ImageResize.Bilinear(source, 1, 2, 2, target, 4, 4);

        Assert.Equal([0, 0.5f, 1, 1, 1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 2, 2.5f, 3, 3], target);
    }

    [Fact]
    public void Downsamples_each_channel_on_its_own_and_copies_an_image_of_the_same_size()
    {
        // 2 channels of 4×4 → 2×2 samples rows and columns 0 and 2.
        var source = Enumerable.Range(0, 32).Select(i => (float)i).ToArray();
        var target = new float[8];

        ImageResize.Bilinear(source, 2, 4, 4, target, 2, 2);

        Assert.Equal([0, 2, 8, 10, 16, 18, 24, 26], target);
        var copy = new float[32];
        ImageResize.Bilinear(source, 2, 4, 4, copy, 4, 4);
        Assert.Equal(source, copy);
    }

    [Fact]
    public void A_dataset_takes_its_input_shape_from_the_spec_and_refuses_another_channel_count()
    {
        var pixels = new float[3 * 2 * 20 * 20];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = i % 7 / 7f;
        var all = new LabelledImages(pixels, [0, 1, 1], 20, 20, 2, ["nucleus", "cytoplasm"]);
        var spec = new DatasetSpec(DatasetSpec.Folder, "/data/cells", null, 0.75, null) { InputShape = new InputShape(24, 28, 2) };

        using var data = ImageDataset.FromLabelled(spec, all);

        Assert.Equal((3, 2, 24, 28), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(["nucleus", "cytoplasm"], data.ClassNames);
        var error = Assert.Throws<DatasetException>(() => ImageDataset.FromLabelled(spec with { InputShape = new InputShape(20, 20, 3) }, all));
        Assert.Contains("2 channel(s), but the input shape asks for 3", error.Message);
    }
}
