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
/// happens to miss a class still trains a model with the same outputs). IDX: the spec's <see cref="DatasetSpec.Classes"/>,
/// or else the largest label in the whole label file plus one, classes named by their index ("0", "1", …), each of
/// which must have an image (see <see cref="ClassesOf"/>).
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
    internal const int MaxClasses = DatasetSpec.MaxClasses;

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
        var (_, read) = ReadIdx(spec, keepPixels: true);
        var (header, pixels, labels, classNames) = read!;
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
        var dataset = FromArrays(floats, chosenLabels, height, width, classNames.Count, classNames: classNames);
        if (spec.InputShape is not { } shape || (shape.Height == height && shape.Width == width && shape.Channels == 1)) return dataset;
        // Another input shape: resize the chosen images (the subset is already taken; FromLabelled takes it again from all of these).
        using (dataset)
            return FromLabelled(spec with { Subset = null }, new LabelledImages(floats, chosenLabels, height, width, 1, dataset.ClassNames));
    }

    /// <summary>An IDX dataset as read: the images' header and bytes, every label, and the class names in label order.</summary>
    private sealed record IdxRead(IdxFile.Header Header, byte[] Pixels, int[] Labels, IReadOnlyList<string> ClassNames);

    /// <summary>
    /// The one pass over an IDX dataset that <see cref="Check"/> (without pixels) and <see cref="Load"/> (with) both
    /// make, so that validation refuses exactly what a worker would: both files read to their last byte
    /// (<see cref="IdxFile"/>), the counts matched, every label a class (<see cref="ClassesOf"/>), the subset within the
    /// images. Every problem found is listed in one <see cref="DatasetException"/>, each line starting with its file.
    /// </summary>
    private static (DatasetCheck Check, IdxRead? Read) ReadIdx(DatasetSpec spec, bool keepPixels)
    {
        var labelsPath = LabelsOf(spec);
        var images = IdxFile.Read(spec.Images, IdxFile.Images, keepPixels);
        var labels = IdxFile.Read(labelsPath, IdxFile.Labels, keepBody: true);
        var problems = new List<string>();
        if (images.Problem is { } imageProblem) problems.Add(imageProblem);
        if (labels.Problem is { } labelProblem) problems.Add(labelProblem);
        if (images.Header is { } imageHeader && labels.Header is { } labelHeader && CountProblem(spec, imageHeader.Count, labelHeader.Count) is { } counts)
            problems.Add(counts);
        var values = labels.Problem is null ? IdxFile.LabelValues(labels.Header!, labels.Body!) : null;
        IReadOnlyList<string>? classNames = null;
        if (values is not null)
        {
            (classNames, var classProblem) = ClassesOf(spec, labelsPath, values);
            if (classProblem is not null) problems.Add(classProblem);
        }
        if (images.Header is { } header && SubsetProblem(spec, header.Count) is { } subset) problems.Add(subset);
        if (problems.Count > 0) throw new DatasetException(Problems(spec.Images, problems));

        var shape = spec.InputShape ?? new InputShape(images.Header!.Dimensions[1], images.Header.Dimensions[2], 1);
        var check = new DatasetCheck(CheckSubset(spec, images.Header!.Count), shape, classNames, [], 0, []);
        return (check, keepPixels ? new IdxRead(images.Header, images.Body!, values!, classNames!) : null);
    }

    /// <summary>One problem as it is, several as one line each under a first that counts them.</summary>
    private static string Problems(string source, IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? problems[0]
            : $"{source}: {problems.Count} problems with the dataset's files:" + Environment.NewLine
              + string.Join(Environment.NewLine, problems.Select(p => $"  {p}"));

    /// <summary>
    /// Checks the dataset as loading will read it, before anything is stored, and says what it yields: the image
    /// count (after the subset), the input shape the images are trained at, the classes, and what was skipped. Refuses
    /// what <see cref="Load"/> would refuse, by the same code: IDX files are read to their last byte (see
    /// <see cref="ReadIdx"/>), image folders and Piximi projects have every image read (see <see cref="ImageFolder"/>,
    /// <see cref="Piximi.PiximiProject"/>).
    /// </summary>
    public static DatasetCheck Check(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind == DatasetSpec.Folder) return ImageFolder.Check(spec);
        if (spec.Kind == DatasetSpec.Piximi) return Piximi.PiximiProject.Check(spec);
        if (spec.Kind != DatasetSpec.Idx) throw UnsupportedKind(spec);
        return ReadIdx(spec, keepPixels: false).Check;
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

    /// <summary>A dataset over tensors already made ([N, C, H, W] float32 in [0, 1], [N] int64): <see cref="DatasetCache"/>'s.</summary>
    internal static ImageDataset FromTensors(Tensor images, Tensor labels, IReadOnlyList<string> classNames) =>
        new(images.DetachFromDisposeScope(), labels.DetachFromDisposeScope(), classNames);

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }

    private static DatasetException UnsupportedKind(DatasetSpec spec) =>
        new($"{spec.Images}: dataset kind '{spec.Kind}' is not supported (supported: {DatasetSpec.Idx}).");

    private static string LabelsOf(DatasetSpec spec) =>
        spec.Labels ?? throw new DatasetException($"{spec.Images}: an IDX dataset needs its labels file.");

    private static string? CountProblem(DatasetSpec spec, int images, int labels) =>
        images != labels
            ? $"{spec.Images} holds {images:N0} images but {spec.Labels} holds {labels:N0} labels; they must match one to one."
            : images == 0 ? $"{spec.Images}: holds no images." : null;

    /// <summary>
    /// The class names in label order and the labels' problem, if any. With <see cref="DatasetSpec.Classes"/> they are
    /// its names, and every label must be below their count. Without, the classes are 0 to the largest label, and each
    /// must have an image: a label of 200 among 0–9 would otherwise train 191 classes that never occur.
    /// </summary>
    private static (IReadOnlyList<string> Names, string? Problem) ClassesOf(DatasetSpec spec, string path, int[] labels)
    {
        var limit = spec.Classes?.Count ?? MaxClasses;
        int firstBad = -1, bad = 0, max = 0, maxAt = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label < 0 || label >= limit)
            {
                if (bad++ == 0) firstBad = i;
                continue;
            }
            if (label > max) (max, maxAt) = (label, i);
        }
        var classes = spec.Classes ?? [.. Enumerable.Range(0, max + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        if (bad > 0)
        {
            var others = bad > 1 ? $" ({bad:N0} labels are)" : "";
            return (classes, spec.Classes is { } names
                ? $"{path}: label {labels[firstBad]} of image {firstBad} is out of range{others}: dataset.classes names {names.Count} classes, so labels are 0 to {names.Count - 1}."
                : $"{path}: label {labels[firstBad]} of image {firstBad} is out of range{others}: labels are class indices 0 to {MaxClasses - 1}.");
        }
        var counts = new int[classes.Count];
        foreach (var label in labels) counts[label]++;
        var used = counts.Count(c => c > 0);
        if (used < 2)
        {
            return (classes, spec.Classes is null
                ? $"{path}: every label is {max}; a classifier needs at least two classes."
                : $"{path}: every image is of class {labels[0]} ('{classes[labels[0]]}'); a classifier needs images of at least two classes.");
        }
        if (spec.Classes is not null || used == counts.Length) return (classes, null);
        var empty = Ranges(Enumerable.Range(0, counts.Length).Where(c => counts[c] == 0).ToList());
        return (classes, $"{path}: {counts.Length - used:N0} of the classes 0 to {max} have no image: {empty}. The classes run to the largest label, "
            + $"{max} (image {maxAt}'s), so a label that is wrong makes classes no image has; fix the labels, or, if those classes are meant "
            + "to be empty, name every class in dataset.classes (their count is then the class count).");
    }

    /// <summary>Sorted whole numbers as ranges: "1, 3, 10–199", the first 20 ranges then "…".</summary>
    private static string Ranges(IReadOnlyList<int> values)
    {
        var ranges = new List<string>();
        for (var i = 0; i < values.Count;)
        {
            var j = i;
            while (j + 1 < values.Count && values[j + 1] == values[j] + 1) j++;
            ranges.Add(i == j ? $"{values[i]}" : $"{values[i]}–{values[j]}");
            i = j + 1;
        }
        return string.Join(", ", ranges.Take(20)) + (ranges.Count > 20 ? $", … ({ranges.Count - 20} more ranges)" : "");
    }

    private static string? SubsetProblem(DatasetSpec spec, int available) => spec.Subset switch
    {
        null => null,
        < 1 and var subset => $"{spec.Images}: subset {subset} must be at least 1.",
        > 0 and var subset when subset > available => $"{spec.Images}: subset {subset:N0} is larger than the {available:N0} images the file holds.",
        _ => null,
    };

    internal static int CheckSubset(DatasetSpec spec, int available) =>
        SubsetProblem(spec, available) is { } problem ? throw new DatasetException(problem) : spec.Subset ?? available;

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
