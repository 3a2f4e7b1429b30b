using System.Text;
using Piximi.Sweep.Core;
using static Piximi.Sweep.Training.Tests.IdxFiles;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// IDX files are read to their last byte by validation (<see cref="ImageDataset.Check"/>) as by loading, so that a
/// file a worker could not load is refused before anything is stored; every problem is named at once, by file.
/// </summary>
public sealed class Checking_idx_files_to_the_last_byte : IDisposable
{
    private readonly TempFolder _folder = new();

    public Checking_idx_files_to_the_last_byte() => FashionMnist.InitializeTorch();

    public void Dispose() => _folder.Dispose();

    private (string Images, string Labels) Write(byte[] images, byte[] labels, string suffix = ".gz") =>
        (_folder.Write("images" + suffix, images), _folder.Write("labels" + suffix, labels));

    private static DatasetSpec Spec((string Images, string Labels) files, IReadOnlyList<string>? classes = null) =>
        new("idx", files.Images, files.Labels, 0.5, null) { Classes = classes };

    /// <summary>Validation and loading refuse alike, with the same message; returns it.</summary>
    private static string RefusedByBoth(DatasetSpec spec)
    {
        var checking = Assert.Throws<DatasetException>(() => ImageDataset.Check(spec));
        var loading = Assert.Throws<DatasetException>(() => ImageDataset.Load(spec));
        Assert.Equal(checking.Message, loading.Message);
        return checking.Message;
    }

    [Fact]
    public void Accepts_a_sound_gzipped_pair_and_says_its_classes()
    {
        var files = Write(Gzip(ImageFile(20)), Gzip(LabelFile(Cycle(20))));

        var check = ImageDataset.Check(Spec(files));

        Assert.Equal(20, check.Count);
        Assert.Equal(new InputShape(28, 28, 1), check.InputShape);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], check.Classes);
    }

    [Fact]
    public void Refuses_a_gzip_file_cut_inside_its_trailer_though_all_its_data_is_there()
    {
        var whole = Gzip(ImageFile(20));
        var files = Write(whole[..^3], Gzip(LabelFile(Cycle(20))));

        var message = RefusedByBoth(Spec(files));

        Assert.StartsWith($"{files.Images}: truncated: its gzip data ends without the trailer (CRC-32 and length) that closes a complete gzip file", message);
    }

    [Fact]
    public void Refuses_a_gzip_file_with_bytes_after_its_end_naming_how_many()
    {
        var files = Write(Gzip(ImageFile(20)), [.. Gzip(LabelFile(Cycle(20))), .. "<html>"u8]);

        var message = RefusedByBoth(Spec(files));

        Assert.Equal($"{files.Labels}: 6 byte(s) of other data after the end of its gzip data; download it again, or gunzip it and give the raw file.", message);
    }

    [Fact]
    public void Refuses_a_gzip_file_with_a_damaged_byte()
    {
        var files = Write(Damaged(Gzip(ImageFile(200))), Gzip(LabelFile(Cycle(200))));

        var message = RefusedByBoth(Spec(files));

        Assert.Equal($"{files.Images}: corrupt gzip data: it cannot be decompressed (a damaged byte, or a checksum that does not match); download it again.", message);
    }

    [Fact]
    public void Refuses_a_gzip_file_whose_checksum_does_not_match_its_data()
    {
        var gzip = Gzip(ImageFile(20));
        gzip[^8] ^= 1; // the trailer's CRC-32

        var message = RefusedByBoth(Spec(Write(gzip, Gzip(LabelFile(Cycle(20))))));

        Assert.Contains(": corrupt gzip data:", message);
    }

    [Fact]
    public void Refuses_a_gzip_file_cut_inside_its_header_as_truncated()
    {
        var files = Write(Gzip(ImageFile(20))[..12], Gzip(LabelFile(Cycle(20))));

        var message = RefusedByBoth(Spec(files));

        Assert.StartsWith($"{files.Images}: truncated", message);
    }

    [Fact]
    public void Lists_every_problem_at_once_each_line_naming_its_file()
    {
        var images = Gzip(ImageFile(20));
        var files = Write(images[..(images.Length / 2)], Int32Labels([.. Cycle(19), 10]), suffix: ".idx");

        var message = RefusedByBoth(Spec(files, classes: [.. Enumerable.Range(0, 10).Select(i => $"c{i}")]));

        var lines = message.Split(Environment.NewLine);
        Assert.Equal($"{files.Images}: 2 problems with the dataset's files:", lines[0]);
        Assert.StartsWith($"  {files.Images}: truncated: the header promises 20 × 28 × 28 = 15,680 bytes of data, the decompressed data holds only ", lines[1]);
        Assert.Equal($"  {files.Labels}: label 10 of image 19 is out of range: dataset.classes names 10 classes, so labels are 0 to 9.", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Reads_the_full_fashion_mnist_training_files_in_well_under_a_second_or_two()
    {
        var spec = new DatasetSpec("idx", FashionMnist.TrainImages, FashionMnist.TrainLabels, 0.75, null);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var check = ImageDataset.Check(spec);

        Assert.Equal(60_000, check.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"validation read the 60,000 images in {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void Computes_gzips_crc32()
    {
        // The CRC-32 check value of "123456789" (ISO-HDLC), and a length that exercises both the 8-byte steps and the tail.
        Assert.Equal(0xCBF43926u, IdxFile.Crc32.Finish(IdxFile.Crc32.Update(IdxFile.Crc32.Start, "123456789"u8)));
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 7)));
        var gzip = Gzip(text);
        Assert.Equal(BitConverter.ToUInt32(gzip, gzip.Length - 8), IdxFile.Crc32.Finish(IdxFile.Crc32.Update(IdxFile.Crc32.Start, text)));
    }
}

/// <summary>Every IDX label is a class: within <c>dataset.classes</c> when given, else no class in 0 to the largest label is empty.</summary>
public sealed class Checking_idx_labels_against_the_classes : IDisposable
{
    private static readonly string[] Fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly TempFolder _folder = new();

    public Checking_idx_labels_against_the_classes() => FashionMnist.InitializeTorch();

    public void Dispose() => _folder.Dispose();

    private DatasetSpec Spec(int[] labels, IReadOnlyList<string>? classes = null) =>
        new("idx", _folder.Write("images.idx", ImageFile(labels.Length)), _folder.Write("labels.idx", Int32Labels(labels)), 0.5, null) { Classes = classes };

    private static string RefusedByBoth(DatasetSpec spec)
    {
        var checking = Assert.Throws<DatasetException>(() => ImageDataset.Check(spec));
        Assert.Equal(checking.Message, Assert.Throws<DatasetException>(() => ImageDataset.Load(spec)).Message);
        return checking.Message;
    }

    [Fact]
    public void Without_classes_refuses_a_stray_label_that_leaves_classes_without_images_naming_them()
    {
        int[] labels = [.. Cycle(30)];
        labels[17] = 200;
        var spec = Spec(labels);

        var message = RefusedByBoth(spec);

        Assert.Equal($"{spec.Labels}: 190 of the classes 0 to 200 have no image: 10–199. The classes run to the largest label, 200 (image 17's), "
            + "so a label that is wrong makes classes no image has; fix the labels, or, if those classes are meant to be empty, name every class "
            + "in dataset.classes (their count is then the class count).", message);
    }

    [Fact]
    public void With_classes_refuses_a_label_beyond_them_naming_the_first_and_counting_the_rest()
    {
        int[] labels = [.. Cycle(30)];
        labels[17] = 200;
        labels[25] = 10;
        var spec = Spec(labels, Fashion);

        var message = RefusedByBoth(spec);

        Assert.Equal($"{spec.Labels}: label 200 of image 17 is out of range (2 labels are): dataset.classes names 10 classes, so labels are 0 to 9.", message);
    }

    [Fact]
    public void With_classes_names_the_classes_and_counts_them_even_those_without_images()
    {
        var spec = Spec(Cycle(24, classes: 8), Fashion);

        var check = ImageDataset.Check(spec);
        using var data = ImageDataset.Load(spec);

        Assert.Equal(Fashion, check.Classes);
        Assert.Equal(Fashion, data.ClassNames);
        Assert.Equal(10, data.Classes);
    }

    [Fact]
    public void Refuses_labels_of_a_single_class_with_or_without_classes()
    {
        Assert.EndsWith(": every label is 0; a classifier needs at least two classes.", RefusedByBoth(Spec(new int[6])));
        Assert.EndsWith(": every image is of class 3 ('Dress'); a classifier needs images of at least two classes.", RefusedByBoth(Spec([3, 3, 3, 3], Fashion)));
    }

    [Fact]
    public void Keeps_the_fashion_mnist_class_count_when_its_names_are_given()
    {
        var spec = FashionMnist.Spec(300) with { Classes = Fashion };

        using var data = ImageDataset.Load(spec);

        Assert.Equal(Fashion, data.ClassNames);
    }
}
