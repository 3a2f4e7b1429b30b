using Piximi.Sweep.Core;
using static Piximi.Sweep.Training.Tests.IdxFiles;
using TorchSharp;

namespace Piximi.Sweep.Training.Tests;

public class ImageDatasetLoad
{
    public ImageDatasetLoad() => FashionMnist.InitializeTorch();

    [Fact]
    public void ReadsAllFashionMnistTestImagesWithTenClassesAndPixelsScaledToZeroOne()
    {
        using var data = ImageDataset.Load(FashionMnist.Spec(subset: null));

        Assert.Equal(10_000, data.Count);
        Assert.Equal(10, data.Classes);
        Assert.Equal(new long[] { 10_000, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(0f, data.Images.min().item<float>());
        Assert.Equal(1f, data.Images.max().item<float>());

        // The same bytes read independently: image 0 and its label, raw / 255.
        var (pixels, labels) = ReadRawGzip(FashionMnist.TestImages, FashionMnist.TestLabels);
        var expected = pixels.AsSpan(16, 784).ToArray().Select(b => b / 255f).ToArray();
        Assert.Equal(expected, data.Images[0].flatten().data<float>().ToArray());
        Assert.Equal(labels[8], data.Labels[0].item<long>());
    }

    [Fact]
    public void ReadsRawIdxFilesLikeGzippedOnes()
    {
        using var folder = new TempFolder();
        var (pixels, labels) = ReadRawGzip(FashionMnist.TestImages, FashionMnist.TestLabels);
        var images = folder.Write("images.idx", pixels);
        var labelFile = folder.Write("labels.idx", labels);

        using var raw = ImageDataset.Load(new DatasetSpec("idx", images, labelFile, 0.8, 300));
        using var gzipped = ImageDataset.Load(FashionMnist.Spec(300));

        Assert.True(Tensors.Same(raw.Images, gzipped.Images));
        Assert.True(Tensors.Same(raw.Labels, gzipped.Labels));
    }

    [Fact]
    public void TakesTheSameFixedSubsetOnEveryLoad()
    {
        using var first = ImageDataset.Load(FashionMnist.Spec(400));
        using var second = ImageDataset.Load(FashionMnist.Spec(400));

        Assert.Equal(400, first.Count);
        Assert.True(Tensors.Same(first.Images, second.Images));
        Assert.True(Tensors.Same(first.Labels, second.Labels));
        // A sample, not the first 400 images of the file.
        using var whole = ImageDataset.Load(FashionMnist.Spec(null));
        Assert.False(Tensors.Same(first.Images, whole.Images.narrow(0, 0, 400)));
    }

    [Fact]
    public void KeepsTheClassCountOfTheWholeFileInASubset()
    {
        using var tiny = ImageDataset.Load(FashionMnist.Spec(3));

        Assert.Equal(3, tiny.Count);
        Assert.Equal(10, tiny.Classes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(250)]
    public void CountsFromTheHeadersAsManyImagesAsItLoads(int? subset)
    {
        var spec = FashionMnist.Spec(subset);
        using var data = ImageDataset.Load(spec);

        Assert.Equal(data.Count, ImageDataset.CountImages(spec));
    }

    [Fact]
    public void RefusesASubsetLargerThanTheFileWhenCountingAndWhenLoading()
    {
        var spec = FashionMnist.Spec(10_001);

        var counting = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(spec));
        var loading = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Contains("subset 10,001 is larger than the 10,000 images", counting.Message);
        Assert.Equal(counting.Message, loading.Message);
    }

    [Fact]
    public void NamesAMissingFile()
    {
        var missing = Path.Combine(FashionMnist.Folder, "no-such-images.gz");
        var spec = FashionMnist.Spec(null) with { Images = missing };

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Equal($"{missing}: file not found.", error.Message);
    }

    [Fact]
    public void NamesAFileThatIsNeitherGzipNorIdx()
    {
        using var folder = new TempFolder();
        var png = folder.Write("images.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]);
        var spec = FashionMnist.Spec(null) with { Images = png };

        var error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(spec));

        Assert.Equal(
            $"{png}: not an IDX image file, gzip-compressed or raw: magic number 0x89504E47, expected 0x00000803 (unsigned bytes, 3 dimensions).",
            error.Message);
    }

    [Fact]
    public void NamesLabelsGivenWhereImagesBelong()
    {
        var spec = FashionMnist.Spec(null) with { Images = FashionMnist.TestLabels };

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.StartsWith($"{FashionMnist.TestLabels}: not an IDX image file", error.Message);
        Assert.Contains("magic number 0x00000801", error.Message);
    }

    [Fact]
    public void NamesATruncatedGzipFile()
    {
        using var folder = new TempFolder();
        var whole = File.ReadAllBytes(FashionMnist.TestImages);
        var cut = folder.Write("cut-images.gz", whole[..(whole.Length / 2)]);
        var spec = FashionMnist.Spec(null) with { Images = cut };

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Equal(
            $"{cut}: truncated: the header promises 10000 × 28 × 28 = 7,840,000 bytes of data, the decompressed data holds only {Gunzip(cut).Length - 16:N0}.",
            error.Message);
        Assert.Equal(error.Message, Assert.Throws<DatasetException>(() => ImageDataset.Check(spec)).Message);
    }

    [Fact]
    public void NamesARawFileShorterThanItsHeaderSays()
    {
        using var folder = new TempFolder();
        var images = folder.Write("images.idx", Idx(0x0803, [3, 28, 28], new byte[3 * 784 - 1]));
        var labels = folder.Write("labels.idx", Idx(0x0801, [3], [0, 1, 2]));

        var spec = new DatasetSpec("idx", images, labels, 0.5, null);

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Equal(
            $"{images}: truncated: the header promises 3 × 28 × 28 = 2,352 bytes of data, the file holds only 2,351.",
            error.Message);
        Assert.Equal(error.Message, Assert.Throws<DatasetException>(() => ImageDataset.Check(spec)).Message);
    }

    [Fact]
    public void NamesARawFileLongerThanItsHeaderSays()
    {
        using var folder = new TempFolder();
        var images = folder.Write("images.idx", Idx(0x0803, [3, 28, 28], new byte[3 * 784]));
        var labels = folder.Write("labels.idx", Idx(0x0801, [3], [0, 1, 2, 7]));

        var spec = new DatasetSpec("idx", images, labels, 0.5, null);

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Equal($"{labels}: longer than its header says: 3 = 3 bytes of data expected, the file holds 1 more.", error.Message);
        Assert.Equal(error.Message, Assert.Throws<DatasetException>(() => ImageDataset.Check(spec)).Message);
    }

    [Fact]
    public void NamesBothFilesWhenImageAndLabelCountsDiffer()
    {
        var spec = FashionMnist.Spec(null) with { Labels = FashionMnist.TrainLabels };

        var counting = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(spec));
        var loading = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        var expected = $"{FashionMnist.TestImages} holds 10,000 images but {FashionMnist.TrainLabels} holds 60,000 labels; they must match one to one.";
        Assert.Equal(expected, counting.Message);
        Assert.Equal(expected, loading.Message);
    }

    [Fact]
    public void RefusesANegativeLabel()
    {
        using var folder = new TempFolder();
        var images = folder.Write("images.idx", Idx(0x0803, [3, 28, 28], new byte[3 * 784]));
        var labels = folder.Write("labels.idx", Int32Labels(1, -1, 0));
        var spec = new DatasetSpec("idx", images, labels, 0.5, null);

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));

        Assert.Equal($"{labels}: label -1 of image 1 is out of range: labels are class indices 0 to 65535.", error.Message);
        Assert.Equal(error.Message, Assert.Throws<DatasetException>(() => ImageDataset.Check(spec)).Message);
    }

    [Fact]
    public void ReadsInt32LabelsAndCountsClassesAsTheLargestLabelPlusOne()
    {
        using var folder = new TempFolder();
        var images = folder.Write("images.idx", Idx(0x0803, [3, 20, 20], Enumerable.Repeat((byte)255, 3 * 400).ToArray()));
        var labels = folder.Write("labels.idx", Int32Labels(2, 0, 1));

        using var data = ImageDataset.Load(new DatasetSpec("idx", images, labels, 0.5, null));

        Assert.Equal(3, data.Classes);
        Assert.Equal(["0", "1", "2"], data.ClassNames);
        Assert.Equal(new long[] { 2, 0, 1 }, data.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 3, 1, 20, 20 }, data.Images.shape);
        Assert.Equal(1f, data.Images.min().item<float>());
    }

    [Fact]
    public void RefusesAKindOtherThanIdx()
    {
        var spec = FashionMnist.Spec(null) with { Kind = "zarr" };

        var error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(spec));

        Assert.Contains("dataset kind 'zarr' is not supported (supported: idx)", error.Message);
    }

    private static (byte[] Images, byte[] Labels) ReadRawGzip(string images, string labels) =>
        (Gunzip(images), Gunzip(labels));
}
