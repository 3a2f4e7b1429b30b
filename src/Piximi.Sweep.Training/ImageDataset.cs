using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

/// <summary>
/// Labelled images held in memory, loaded once per worker and shared by all its trials. The pixels are one
/// contiguous float tensor [N, channels, height, width] in [0, 1] (raw / (2^bit depth − 1), as Piximi rescales), so
/// a batch is a single <c>index_select</c>; the labels are an int64 tensor [N].
/// <para>
/// <see cref="Classes"/> is the number of classes of the whole dataset (computed before any subset, so a subset that
/// happens to miss a class still trains a model with the same outputs). IDX: the largest label in the whole label
/// file plus one, classes named by their index ("0", "1", …); an unused index in between simply never wins.
/// </para>
/// <para>
/// Each kind has its reader, which returns every labelled image as <see cref="LabelledImages"/>; the spec's subset
/// and input shape (resized as Piximi resizes, <see cref="ImageResize"/>) are applied here, the same way for every kind.
/// </para>
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Seed of the fixed subset: the same pool for every trial of every sweep on the same files.</summary>
    internal const int SubsetSeed = 0;

    /// <summary>Labels are class indices; beyond this a label is surely not one.</summary>
    internal const int MaxClasses = 65_536;

    private readonly Tensor _images;
    private readonly Tensor _labels;

    private ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        _images = images;
        _labels = labels;
        Count = (int)images.shape[0];
        Channels = (int)images.shape[1];
        Height = (int)images.shape[2];
        Width = (int)images.shape[3];
        ClassNames = classNames;
    }

    public int Count { get; }

    public int Classes => ClassNames.Count;

    /// <summary>The classes' names in label order: label i is class <c>ClassNames[i]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int Channels { get; }

    internal int Height { get; }

    internal int Width { get; }

    /// <summary>[N, C, H, W] float32 in [0, 1], on the CPU.</summary>
    internal Tensor Images => _images;

    /// <summary>[N] int64 class indices, on the CPU.</summary>
    internal Tensor Labels => _labels;

    /// <summary>Reads the images (applying the spec's fixed subset and input shape). Throws <see cref="DatasetException"/>.</summary>
    public static ImageDataset Load(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            DatasetSpec.Idx => LoadIdx(spec),
            DatasetSpec.Folder => FromLabelled(spec, ImageFolder.Load(spec)),
            DatasetSpec.Piximi => FromLabelled(spec, Piximi.PiximiProject.Read(spec)),
            _ => throw UnsupportedKind(spec),
        };
    }

    /// <summary>
    /// A dataset from every labelled image a reader returned: the spec's fixed subset, then its input shape (each
    /// image resized to it as Piximi resizes, when its size differs).
    /// </summary>
    internal static ImageDataset FromLabelled(DatasetSpec spec, LabelledImages all)
    {
        var chosen = Choose(spec, all.Count);
        var shape = spec.InputShape ?? new InputShape(all.Height, all.Width, all.Channels);
        if (shape.Channels != all.Channels)
            throw new DatasetException($"{spec.Images}: the images have {all.Channels} channel(s), but the input shape asks for {shape.Channels}.");
        var size = shape.Channels * shape.Height * shape.Width;
        var pixels = GC.AllocateUninitializedArray<float>(checked(chosen.Length * size));
        var labels = new long[chosen.Length];
        var sourceSize = all.Channels * all.Height * all.Width;
        for (var i = 0; i < chosen.Length; i++)
        {
            var source = all.Pixels.AsSpan(chosen[i] * sourceSize, sourceSize);
            ImageResize.CropAndResize(source, all.Channels, all.Height, all.Width, pixels.AsSpan(i * size, size), shape.Height, shape.Width);
            labels[i] = all.Labels[chosen[i]];
        }
        return FromArrays(pixels, labels, shape.Height, shape.Width, all.ClassNames.Count, shape.Channels, all.ClassNames);
    }

    private static ImageDataset LoadIdx(DatasetSpec spec)
    {
        // Headers and labels first: a mismatch is reported before tens of megabytes of pixels are decompressed.
        var imageHeader = IdxFile.ReadImageHeader(spec.Images);
        var labels = IdxFile.ReadLabels(LabelsOf(spec));
        CheckCounts(spec, imageHeader.Count, labels.Length);
        var classes = CheckLabels(LabelsOf(spec), labels);
        CheckSubset(spec, imageHeader.Count);
        var (header, pixels) = IdxFile.ReadImages(spec.Images);

        var chosen = Choose(spec, header.Count);
        int height = header.Dimensions[1], width = header.Dimensions[2], size = height * width;

        var floats = GC.AllocateUninitializedArray<float>(checked(chosen.Length * size));
        var chosenLabels = new long[chosen.Length];
        for (var i = 0; i < chosen.Length; i++)
        {
            var source = pixels.AsSpan(chosen[i] * size, size);
            var target = floats.AsSpan(i * size, size);
            for (var p = 0; p < size; p++)
                target[p] = source[p] / 255f;
            chosenLabels[i] = labels[chosen[i]];
        }
        var dataset = FromArrays(floats, chosenLabels, height, width, classes);
        if (spec.InputShape is not { } shape || (shape.Height == height && shape.Width == width && shape.Channels == 1)) return dataset;
        // Another input shape: resize the chosen images (the subset is already taken; FromLabelled takes it again from all of these).
        using (dataset)
            return FromLabelled(spec with { Subset = null }, new LabelledImages(floats, chosenLabels, height, width, 1, dataset.ClassNames));
    }

    /// <summary>
    /// Checks the dataset as loading will read it, before anything is stored, and says what it yields: the image
    /// count (after the subset), the input shape the images are trained at, and what was skipped. Refuses what
    /// <see cref="Load"/> would refuse: a missing file, a bad header, a count mismatch, a subset larger than the data;
    /// image folders and Piximi projects have every image read (see <see cref="ImageFolder"/>, <see cref="Piximi.PiximiProject"/>).
    /// </summary>
    public static DatasetCheck Check(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind == DatasetSpec.Folder) return ImageFolder.Check(spec);
        if (spec.Kind == DatasetSpec.Piximi) return Piximi.PiximiProject.Check(spec);
        if (spec.Kind != DatasetSpec.Idx) throw UnsupportedKind(spec);
        var images = IdxFile.ReadImageHeader(spec.Images);
        var labels = IdxFile.ReadLabelHeader(LabelsOf(spec));
        CheckCounts(spec, images.Count, labels.Count);
        var shape = spec.InputShape ?? new InputShape(images.Dimensions[1], images.Dimensions[2], 1);
        return new DatasetCheck(CheckSubset(spec, images.Count), shape, null, [], 0, []);
    }

    /// <summary>How many images the spec yields (after its subset): <see cref="Check"/>'s count.</summary>
    public static int CountImages(DatasetSpec spec) => Check(spec).Count;

    /// <summary>
    /// A dataset from pixels already in [0, 1] ([N·C·H·W]); classes named by their index unless
    /// <paramref name="classNames"/> (one per class) is given. Also for tests and benchmarks.
    /// </summary>
    internal static ImageDataset FromArrays(
        float[] pixels, long[] labels, int height, int width, int classes, int channels = 1, IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"{classes} classes need {classes} names, got {classNames.Count}.", nameof(classNames));
        TorchRuntime.EnsureNativeReady();
        // Detached: a caller's dispose scope must not free a dataset that outlives it.
        var images = torch.tensor(pixels, [labels.Length, channels, height, width], ScalarType.Float32).DetachFromDisposeScope();
        var labelTensor = torch.tensor(labels, [labels.Length], ScalarType.Int64).DetachFromDisposeScope();
        var names = classNames ?? [.. Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return new ImageDataset(images, labelTensor, names);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }

    private static DatasetException UnsupportedKind(DatasetSpec spec) =>
        new($"{spec.Images}: dataset kind '{spec.Kind}' is not supported (supported: {DatasetSpec.Idx}).");

    private static string LabelsOf(DatasetSpec spec) =>
        spec.Labels ?? throw new DatasetException($"{spec.Images}: an IDX dataset needs its labels file.");

    private static void CheckCounts(DatasetSpec spec, int images, int labels)
    {
        if (images != labels)
            throw new DatasetException(
                $"{spec.Images} holds {images:N0} images but {spec.Labels} holds {labels:N0} labels; they must match one to one.");
        if (images == 0)
            throw new DatasetException($"{spec.Images}: holds no images.");
    }

    /// <summary>Returns the number of classes (largest label + 1).</summary>
    private static int CheckLabels(string path, int[] labels)
    {
        var max = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label < 0 || label >= MaxClasses)
                throw new DatasetException(
                    $"{path}: label {label} of image {i} is out of range: labels are class indices 0 to {MaxClasses - 1}.");
            max = Math.Max(max, label);
        }
        if (max == 0)
            throw new DatasetException($"{path}: every label is 0; a classifier needs at least two classes.");
        return max + 1;
    }

    internal static int CheckSubset(DatasetSpec spec, int available)
    {
        if (spec.Subset is not { } subset)
            return available;
        if (subset < 1)
            throw new DatasetException($"{spec.Images}: subset {subset} must be at least 1.");
        if (subset > available)
            throw new DatasetException(
                $"{spec.Images}: subset {subset:N0} is larger than the {available:N0} images the file holds.");
        return subset;
    }

    /// <summary>Which images to keep: all, or a fixed sample (seed 0), in file order.</summary>
    private static int[] Choose(DatasetSpec spec, int available)
    {
        var count = CheckSubset(spec, available);
        var all = Enumerable.Range(0, available).ToArray();
        if (count == available)
            return all;
        var random = SplitMix64.ForStream(SubsetSeed, stream: 0);
        random.Shuffle(all.AsSpan());
        var chosen = all[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
