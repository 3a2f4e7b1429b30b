using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Tests;

public sealed class Resizing_an_image
{
    [Fact]
    public void Upsamples_as_piximis_crop_and_resize_does_with_the_corners_on_the_corner_pixels()
    {
        // cropAndResize with the box [0, 0, 1, 1] to 4×4 samples rows and columns 0, 1/3, 2/3 and 1 (not
        // resizeBilinear's 0, 0.5, 1, 1.5 with the last repeated).
        float[] source = [0, 1, 2, 3];
        var target = new float[16];

        ImageResize.CropAndResize(source, 1, 2, 2, target, 4, 4);

        float third = 1 / 3f, twoThirds = 2 / 3f;
        float[] expected =
        [
            0, third, twoThirds, 1,
            twoThirds, 1, 1 + third, 1 + twoThirds,
            1 + third, 1 + twoThirds, 2, 2 + third,
            2, 2 + third, 2 + twoThirds, 3,
        ];
        Assert.Equal(expected, target, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Downsamples_each_channel_on_its_own_and_copies_an_image_of_the_same_size()
    {
        // 2 channels of 4×4 → 2×2 samples the corner rows and columns, 0 and 3.
        var source = Enumerable.Range(0, 32).Select(i => (float)i).ToArray();
        var target = new float[8];

        ImageResize.CropAndResize(source, 2, 4, 4, target, 2, 2);

        Assert.Equal([0, 3, 12, 15, 16, 19, 28, 31], target);
        var copy = new float[32];
        ImageResize.CropAndResize(source, 2, 4, 4, copy, 4, 4);
        Assert.Equal(source, copy);
    }

    [Fact]
    public void A_single_output_row_samples_the_middle_of_the_image()
    {
        // 3×1 → 1×1: the position is 0.5·(0 + 1)·(3 − 1) = 1, the middle row.
        var target = new float[1];
        ImageResize.CropAndResize([10, 20, 30], 1, 3, 1, target, 1, 1);
        Assert.Equal(20, target[0]);
    }

    [Fact]
    public void Where_tfjs_rounds_the_last_position_beyond_the_image_the_last_row_and_column_are_black_as_in_tfjs()
    {
        // 28 → 24: 23 · (27 / 23) is 27.000000000000004 in double, beyond row 27, so tfjs-backend-cpu 4.2.0 writes its
        // extrapolation value 0 there; 28 → 20 lands exactly on 27.
        var ones = Enumerable.Repeat(1f, 28 * 28).ToArray();
        var to24 = new float[24 * 24];
        var to20 = new float[20 * 20];

        ImageResize.CropAndResize(ones, 1, 28, 28, to24, 24, 24);
        ImageResize.CropAndResize(ones, 1, 28, 28, to20, 20, 20);

        for (var y = 0; y < 24; y++)
            for (var x = 0; x < 24; x++)
                Assert.Equal(y == 23 || x == 23 ? 0f : 1f, to24[y * 24 + x]);
        Assert.All(to20, v => Assert.Equal(1f, v));
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
