using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// A dataset of kind <c>folder</c>: <c>root/&lt;class name&gt;/&lt;image&gt;</c>.
/// <list type="bullet">
/// <item>Classes are the root's sub-folders, sorted by ordinal (byte-wise, case-sensitive) name: label i is the i-th.
/// Images are the files of a class folder whose extension is <c>.png</c>, <c>.jpg</c>, <c>.jpeg</c>, <c>.tif</c> or
/// <c>.tiff</c> (any case), in ordinal order; see <see cref="ImageDecoder"/> for how each is decoded. Anything else
/// (other files, files beside the class folders, folders inside a class folder) is left out and listed in
/// <see cref="DatasetCheck.Ignored"/>, never silently trained on.</item>
/// <item>Every image is decoded, checked against the input shape's channel count and resized to the input shape's
/// height and width as Piximi resizes (<see cref="ImageResize"/>). An input shape is required: the images may differ in size.</item>
/// <item>Bad data: an image that cannot be decoded, one with another channel count, and a class with fewer than 2
/// usable images. Without <see cref="DatasetSpec.SkipBadImages"/> all of them are listed in one
/// <see cref="DatasetException"/>; with it they are left out and counted (a short class with its images). Skipping
/// depends on the files alone, so every worker skips the same images. A missing root, no labelled image, or fewer
/// than 2 classes left are always errors.</item>
/// </list>
/// Checking (validation) decodes every image too, as loading does, so that it reports the same bad images; it keeps
/// no pixels.
/// </summary>
public static class ImageFolder
{
    /// <summary>Every image decoded and checked, no pixels kept. Throws <see cref="DatasetException"/>.</summary>
    public static DatasetCheck Check(DatasetSpec spec) => Read(spec, keepPixels: false).Check;

    /// <summary>Every usable image, resized to the input shape. Throws <see cref="DatasetException"/>.</summary>
    internal static LabelledImages Load(DatasetSpec spec)
    {
        var (check, images) = Read(spec, keepPixels: true);
        return images! with { Skipped = check.SkippedImages };
    }

    private sealed record Decoded(float[]? Pixels, string? Problem);

    private static (DatasetCheck Check, LabelledImages? Images) Read(DatasetSpec spec, bool keepPixels)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind != DatasetSpec.Folder) throw new ArgumentException($"not a folder dataset: kind '{spec.Kind}'", nameof(spec));
        var root = spec.Images;
        var shape = spec.InputShape
            ?? throw new DatasetException($"{root}: a folder dataset needs an input shape (height, width, channels): its images may differ in size.");
        if (File.Exists(root)) throw new DatasetException($"{root}: is a file; a folder dataset is a folder of <class name>/<image> files.");
        if (!Directory.Exists(root)) throw new DatasetException($"{root}: folder not found.");

        var ignored = new List<string>();
        var classes = new List<(string Name, string Folder, string[] Images)>();
        try
        {
            ignored.AddRange(Sorted(Directory.GetFiles(root)));
            foreach (var folder in Sorted(Directory.GetDirectories(root)))
            {
                var files = Sorted(Directory.GetFiles(folder));
                ignored.AddRange(files.Where(f => !ImageDecoder.IsImage(f)));
                ignored.AddRange(Sorted(Directory.GetDirectories(folder)).Select(d => d + Path.DirectorySeparatorChar));
                classes.Add((Path.GetFileName(folder), folder, [.. files.Where(ImageDecoder.IsImage)]));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{root}: cannot be listed: {e.Message}");
        }
        if (classes.Sum(c => c.Images.Length) == 0)
            throw new DatasetException(
                $"{root}: no labelled images; expected <class name>/<image> with {string.Join(", ", ImageDecoder.Extensions)} files"
                + (ignored.Count > 0 ? $" (found only {ignored.Count} other file(s) and folder(s), such as {ignored[0]})" : ""));

        // Decoding is the cost (see SWEEP-FILE.md); in parallel, each result in its own slot, so the order is the files'.
        var paths = classes.SelectMany(c => c.Images).ToArray();
        var decoded = new Decoded[paths.Length];
        var size = shape.Channels * shape.Height * shape.Width;
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => decoded[i] = DecodeOne(paths[i], shape, size, keepPixels));

        var bad = new List<BadImage>();
        var keptClasses = new List<(string Name, List<int> Images)>();
        var skippedImages = 0;
        var next = 0;
        foreach (var (name, folder, images) in classes)
        {
            var usable = new List<int>();
            for (var i = 0; i < images.Length; i++, next++)
            {
                if (decoded[next].Problem is { } problem) bad.Add(new BadImage(images[i], problem));
                else usable.Add(next);
            }
            skippedImages += images.Length - usable.Count;
            if (usable.Count >= 2)
            {
                keptClasses.Add((name, usable));
                continue;
            }
            var why = $"class '{name}' has {usable.Count} usable image(s); a class needs at least 2";
            bad.Add(new BadImage(folder + Path.DirectorySeparatorChar, why));
            skippedImages += usable.Count;
        }

        if (bad.Count > 0 && !spec.SkipBadImages)
            throw new DatasetException(new RefusedImages(root,
                $"readable PNG, JPEG or TIFF images (8- or 16-bit) with {shape.Channels} channel(s), at least 2 per class", bad));
        if (keptClasses.Count == 0)
            throw new DatasetException($"{root}: no labelled images left after skipping {skippedImages} bad image(s).");
        if (keptClasses.Count < 2)
            throw new DatasetException(
                $"{root}: only one class ('{keptClasses[0].Name}') has images{(bad.Count > 0 ? " after skipping bad images" : "")}; a classifier needs at least 2 classes.");

        var total = keptClasses.Sum(c => c.Images.Count);
        string[] classNames = [.. keptClasses.Select(c => c.Name)];
        var check = new DatasetCheck(ImageDataset.CheckSubset(spec, total), shape, classNames, bad, skippedImages, ignored);
        if (!keepPixels) return (check, null);

        var pixels = GC.AllocateUninitializedArray<float>(checked(total * size));
        var labels = new long[total];
        var n = 0;
        for (var label = 0; label < keptClasses.Count; label++)
        {
            foreach (var index in keptClasses[label].Images)
            {
                decoded[index].Pixels.AsSpan().CopyTo(pixels.AsSpan(n * size, size));
                labels[n++] = label;
            }
        }
        return (check, new LabelledImages(pixels, labels, shape.Height, shape.Width, shape.Channels, classNames));
    }

    private static Decoded DecodeOne(string path, InputShape shape, int size, bool keepPixels)
    {
        DecodedImage image;
        try
        {
            image = ImageDecoder.Decode(path);
        }
        catch (BadImageException e)
        {
            return new Decoded(null, e.Message);
        }
        if (image.Channels != shape.Channels)
            return new Decoded(null, $"has {image.Channels} channel(s), the input shape expects {shape.Channels}");
        if (!keepPixels) return new Decoded(null, null);
        var resized = new float[size];
        ImageResize.CropAndResize(image.Pixels, image.Channels, image.Height, image.Width, resized, shape.Height, shape.Width);
        return new Decoded(resized, null);
    }

    private static string[] Sorted(string[] paths)
    {
        Array.Sort(paths, StringComparer.Ordinal);
        return paths;
    }
}
