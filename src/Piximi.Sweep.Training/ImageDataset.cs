using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

/// <summary>
/// Labelled images held in memory, loaded once per worker and shared by all its trials. The pixels are one
/// contiguous float tensor [N, 1, height, width] in [0, 1] (raw / 255, as Piximi rescales 8-bit images), so a batch
/// is a single <c>index_select</c>; the labels are an int64 tensor [N].
/// <para>
/// <see cref="Classes"/> is the largest label in the whole label file plus one (computed before any subset, so a
/// subset that happens to miss a class still trains a model with the same outputs). Labels are class indices, as in
/// MNIST; an unused index in between simply never wins.
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

    private ImageDataset(Tensor images, Tensor labels, int classes)
    {
        _images = images;
        _labels = labels;
        Count = (int)images.shape[0];
        Height = (int)images.shape[2];
        Width = (int)images.shape[3];
        Classes = classes;
    }

    public int Count { get; }

    public int Classes { get; }

    internal int Height { get; }

    internal int Width { get; }

    /// <summary>[N, 1, H, W] float32 in [0, 1], on the CPU.</summary>
    internal Tensor Images => _images;

    /// <summary>[N] int64 class indices, on the CPU.</summary>
    internal Tensor Labels => _labels;

    /// <summary>Reads the images (applying the spec's fixed subset). Throws <see cref="DatasetException"/>.</summary>
    public static ImageDataset Load(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CheckKind(spec);

        // Headers and labels first: a mismatch is reported before tens of megabytes of pixels are decompressed.
        var imageHeader = IdxFile.ReadImageHeader(spec.Images);
        var labels = IdxFile.ReadLabels(spec.Labels);
        CheckCounts(spec, imageHeader.Count, labels.Length);
        var classes = CheckLabels(spec.Labels, labels);
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
        return FromArrays(floats, chosenLabels, height, width, classes);
    }

    /// <summary>
    /// Counts the images the spec yields (after its subset) from the file headers only; for validation. Refuses the
    /// same specs <see cref="Load"/> refuses on header grounds (missing file, bad magic, count mismatch, subset larger
    /// than the file), so validation fails where loading would.
    /// </summary>
    public static int CountImages(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CheckKind(spec);
        var images = IdxFile.ReadImageHeader(spec.Images);
        var labels = IdxFile.ReadLabelHeader(spec.Labels);
        CheckCounts(spec, images.Count, labels.Count);
        return CheckSubset(spec, images.Count);
    }

    /// <summary>For tests and benchmarks: a dataset from pixels already in [0, 1] ([N·H·W], one channel).</summary>
    internal static ImageDataset FromArrays(float[] pixels, long[] labels, int height, int width, int classes)
    {
        TorchRuntime.EnsureNativeReady();
        // Detached: a caller's dispose scope must not free a dataset that outlives it.
        var images = torch.tensor(pixels, [labels.Length, 1, height, width], ScalarType.Float32).DetachFromDisposeScope();
        var labelTensor = torch.tensor(labels, [labels.Length], ScalarType.Int64).DetachFromDisposeScope();
        return new ImageDataset(images, labelTensor, classes);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }

    private static void CheckKind(DatasetSpec spec)
    {
        if (!string.Equals(spec.Kind, "idx", StringComparison.OrdinalIgnoreCase))
            throw new DatasetException($"{spec.Images}: dataset kind '{spec.Kind}' is not supported (supported: idx).");
    }

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

    private static int CheckSubset(DatasetSpec spec, int available)
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
