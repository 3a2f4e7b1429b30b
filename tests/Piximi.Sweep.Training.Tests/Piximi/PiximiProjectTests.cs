using Piximi.Sweep.Core;
using Piximi.Sweep.Training.Piximi;

namespace Piximi.Sweep.Training.Tests.Piximi;

public class PiximiProjectTests : IDisposable
{
    private const string Healthy = "6c1f3d0e-a";
    private const string Infected = "9b2e4f1a-b";
    private readonly string _folder = Directory.CreateTempSubdirectory("piximi-project-").FullName;

    public PiximiProjectTests() => FashionMnist.InitializeTorch();

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>Every partition, an unknown-category image, a prediction, and an annotation of another kind.</summary>
    private static PiximiProjectBuilder Standard(int channels = 1)
    {
        var p = new PiximiProjectBuilder { InputShape = [1, 4, 5, channels] };
        p.Things.Add(p.Image("a.png", Healthy, "Training", channels: channels, seed: 1));
        p.Things.Add(p.Image("b.png", Healthy, "Validation", channels: channels, seed: 2));
        p.Things.Add(p.Image("c.png", Infected, "Training", channels: channels, seed: 3));
        p.Things.Add(p.Image("d.png", PiximiProjectBuilder.UnknownImageCategory, "Unassigned", channels: channels, seed: 4));
        p.Things.Add(p.Image("e.png", Infected, "Unassigned", channels: channels, seed: 5));
        p.Things.Add(p.Image("f.png", Infected, "Inference", channels: channels, seed: 6));
        p.Things.Add(p.Image("g.png", PiximiProjectBuilder.UnknownImageCategory, "Inference", channels: channels, seed: 7));
        p.Things.Add(p.Image("nucleus-1", "4d5e6f70-c", "Training", height: 3, width: 3, channels: channels, seed: 8) with { Kind = "Nucleus" });
        return p;
    }

    private string Save(PiximiProjectBuilder builder, string name = "cells.zip")
    {
        var path = Path.Combine(_folder, name);
        builder.Write(path);
        return path;
    }

    private static DatasetSpec Spec(string path, bool inference = false) =>
        new(DatasetSpec.Piximi, path, null, 0.75, null) { IncludeInference = inference };

    /// <summary>Pattern image [1, h, w, c] as channels-first [c, h, w].</summary>
    private static float[] ChannelsFirst(int seed, int h, int w, int c)
    {
        var hwc = PiximiProjectBuilder.Pattern(seed, h, w, c);
        var chw = new float[hwc.Length];
        for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) for (var ch = 0; ch < c; ch++) chw[ch * h * w + y * w + x] = hwc[(y * w + x) * c + ch];
        return chw;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LabelledImagesLoadWithTheirClassesAndExactPixels(int channels)
    {
        var path = Save(Standard(channels));

        var read = PiximiProject.Read(Spec(path));
        Assert.Equal(["healthy", "infected"], read.ClassNames);
        Assert.Equal([0L, 0, 1, 1], read.Labels); // a, b, c, e: unknown d and g, prediction f and the annotation skipped
        Assert.Equal((4, 5, channels), (read.Height, read.Width, read.Channels));
        var expected = new[] { 1, 2, 3, 5 }.SelectMany(seed => ChannelsFirst(seed, 4, 5, channels)).ToArray();
        Assert.Equal(expected, read.Pixels);

        Assert.Equal(4, ImageDataset.CountImages(Spec(path)));
        using var data = ImageDataset.Load(Spec(path));
        Assert.Equal(new long[] { 4, channels, 4, 5 }, data.Images.shape);
        Assert.Equal(["healthy", "infected"], data.ClassNames);
    }

    [Fact]
    public void InferenceItemsWithAKnownCategoryTrainOnlyWhenAskedFor()
    {
        var path = Save(Standard());
        var read = PiximiProject.Read(Spec(path, inference: true));
        Assert.Equal([0L, 0, 1, 1, 1], read.Labels);
        Assert.Equal(ChannelsFirst(6, 4, 5, 1), read.Pixels[^20..]);
        Assert.Equal(5, ImageDataset.CountImages(Spec(path, inference: true)));
    }

    [Fact]
    public void ImagesAreResizedToTheProjectsInputShapeAndRawValuesRescaledByBitDepth()
    {
        var p = Standard();
        p.InputShape = [1, 2, 3, 1];
        var raw = p.Image("raw.png", Infected, "Training", seed: 9);
        p.Things.Add(raw with { Data = [.. raw.Data.Select(v => v * 255f)], BitDepth = 8 });
        p.Things.Add(p.Image("big.png", Healthy, "Training", height: 8, width: 6, seed: 10));
        var read = PiximiProject.Read(Spec(Save(p)));

        Assert.Equal((2, 3, 1), (read.Height, read.Width, read.Channels));
        Assert.Equal(6, read.Count);
        var expected = new float[6];
        ImageResize.CropAndResize(ChannelsFirst(9, 4, 5, 1).Select(v => v * 255f / 255f).ToArray(), 1, 4, 5, expected, 2, 3);
        Assert.Equal(expected, read.Pixels.AsSpan(4 * 6, 6).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void ClassifierSettingsAreReadFromDisplayStringsAndEnumNames()
    {
        var p = Standard();
        p.Optimizer = "Stochastic gradient descent (SGD)";
        p.Loss = "MeanSquaredError";
        p.LearningRate = 0.0030000001;
        using var project = PiximiProject.Open(Save(p));
        var s = project.ReadSettingsOrNull()!;
        Assert.Equal(OptimizerKind.StochasticGradientDescent, s.Optimizer);
        Assert.Equal(LossKind.MeanSquaredError, s.Loss);
        Assert.Equal(0.003, s.LearningRate);
        Assert.Equal((32, 10, 0.75), (s.BatchSize, s.Epochs, s.TrainingPercentage));
        Assert.Equal(new InputShape(4, 5, 1), s.InputShape);
        Assert.Equal("1.1.4", project.Version);
        Assert.Equal(LossKind.CategoricalCrossEntropy, PiximiProject.MatchLoss("Categorical (softmax) cross entropy"));
        Assert.Equal(OptimizerKind.RMSProp, PiximiProject.MatchOptimizer("RMSProp"));
    }

    [Fact]
    public void OlderVersionsWithTheSameLayoutLoad()
    {
        var p = Standard();
        p.Version = "0.2.1";
        Assert.Equal(4, ImageDataset.CountImages(Spec(Save(p))));
    }

    [Theory]
    [InlineData("2.0.0", "saved by Piximi 2.0.0")]
    [InlineData("0.1.0", "saved by Piximi 0.1.0")]
    [InlineData("banana", "'banana'")]
    [InlineData(null, "no Piximi version")]
    public void OtherVersionsAreRefusedNamingTheVersion(string? version, string expected)
    {
        var p = Standard();
        p.Version = version;
        var path = Save(p);
        if (version == "0.1.0") // 0.1's own layout: no things group
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
            foreach (var e in zip.Entries.Where(e => e.FullName.Contains("project/things", StringComparison.Ordinal)).ToList()) e.Delete();
        }
        var error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec(path)));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedZipIsRefusedNamingTheFile()
    {
        var path = Save(Standard());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<DatasetException>(() => ImageDataset.Load(Spec(path)));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("zip", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Three images whose pixel data a worker could not read: a chunk removed from the zip, a truncated chunk, and an
    /// entry whose zip header names a compression method no reader knows (.NET then says "unsupported compression
    /// method", which says nothing about the image). The check finds all three, before anything is stored, by image
    /// and file, in its own words; with skipping they are counted and left out.
    /// </summary>
    [Fact]
    public void TheCheckReadsEveryImageChunkAndNamesEachBadImageByItsItemAndFile()
    {
        var p = Standard();
        p.Things.Add(p.Image("h.png", Healthy, "Training", seed: 11));
        p.Things.Add(p.Image("i.png", Healthy, "Training", seed: 12));
        p.Things.Add(p.Image("j.png", Infected, "Training", seed: 13));
        var path = Save(p);
        const string root = "cells.zarr/project/things/";
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry($"{root}a.png/a.png/0.0.0.0")!.Delete();
            var truncated = zip.GetEntry($"{root}c.png/c.png/0.0.0.0")!;
            truncated.Delete();
            using (var stream = zip.CreateEntry($"{root}c.png/c.png/0.0.0.0").Open()) stream.Write(new byte[10]);
        }
        ZipBytes.SetCompressionMethod(path, $"{root}h.png/h.png/0.0.0.0", 99);

        var error = Assert.Throws<DatasetException>(() => ImageDataset.Check(Spec(path)));

        Assert.StartsWith($"{path}: 3 problem(s) with the images; allowed: images whose pixel data is in the project zip", error.Message, StringComparison.Ordinal);
        Assert.Contains($"  image 'a.png' (project/things/a.png/a.png/0.0.0.0): its pixel data is missing from the zip", error.Message, StringComparison.Ordinal);
        Assert.Contains($"  image 'c.png' (project/things/c.png/c.png/0.0.0.0): its pixel data is not a 4×5×1 image: the chunk holds 10 bytes, but a [1, 4, 5, 1] chunk of <f4 needs 80", error.Message, StringComparison.Ordinal);
        Assert.Contains($"  image 'h.png' (project/things/h.png/h.png/0.0.0.0): its pixel data cannot be read: the zip entry is damaged", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("compression method", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(error.Message, Assert.Throws<DatasetException>(() => ImageDataset.Load(Spec(path))).Message);

        var skipping = Spec(path) with { SkipBadImages = true };
        var check = ImageDataset.Check(skipping);
        Assert.Equal((4, 3), (check.Count, check.SkippedImages)); // b, e, i, j of a, b, c, e, h, i, j
        Assert.Equal(["a.png", "c.png", "h.png"], check.Skipped.Select(b => b.Path.Split('\'')[1]));
        Assert.Equal(new InputShape(4, 5, 1), check.InputShape);
        using var data = ImageDataset.Load(skipping);
        Assert.Equal(4, data.Count);
    }

    [Fact]
    public void BadProjectsAreRefusedEachWithItsProblem()
    {
        var none = new PiximiProjectBuilder();
        none.Things.Add(none.Image("x.png", PiximiProjectBuilder.UnknownImageCategory, "Unassigned"));
        none.Things.Add(none.Image("y.png", Infected, "Inference"));
        var path = Save(none, "none.zip");
        var error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec(path)));
        Assert.Equal($"{path}: no labelled images (1 image(s) of unknown category, 1 prediction(s) in the Inference partition (include_inference: true would train on them)); label images in Piximi first.", error.Message);

        var few = Standard();
        few.Things.RemoveAll(t => t.Name == "e.png");
        path = Save(few, "few.zip");
        error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec(path)));
        Assert.Equal($"{path}: every class needs at least 2 labelled images, but 'infected' has 1; label more, or delete the category in Piximi.", error.Message);

        var missing = Path.Combine(_folder, "nowhere.zip");
        error = Assert.Throws<DatasetException>(() => ImageDataset.CountImages(Spec(missing)));
        Assert.StartsWith($"{missing}: file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SweepFilesReadKindPiximiAndRefuseLabels()
    {
        var path = Save(Standard());
        var good = SweepFile.Parse(LocalDisk.Instance, $"dataset: {{kind: piximi, images: {path}, include_inference: true}}\nparameters: {{batch_size: 2}}\n", Path.Combine(_folder, "s.yaml"), ImageDataset.CountImages);
        Assert.Equal(DatasetSpec.Piximi, good.Definition.Dataset.Kind);
        Assert.True(good.Definition.Dataset.IncludeInference);
        Assert.Null(good.Definition.Dataset.Labels);

        var bad = Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, 
            $"dataset: {{kind: piximi, images: {path}, labels: x.gz}}\n", Path.Combine(_folder, "s.yaml"), ImageDataset.CountImages));
        Assert.Contains("dataset.labels: not allowed with kind: piximi", bad.Message, StringComparison.Ordinal);
    }
}
