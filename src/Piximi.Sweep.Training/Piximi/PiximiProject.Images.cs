using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Piximi;

/// <summary>One image thing with its label, as the attributes say (no pixels read yet).</summary>
internal sealed record PiximiItem(string Name, int Label, int Planes, int Height, int Width, int Channels, int ActivePlane, double? BitDepth);

/// <summary>
/// The labelled images of a project from its attributes alone: what <c>validate</c> counts and what the pixel pass
/// then reads. <see cref="Unlabelled"/>, <see cref="Predictions"/> and <see cref="Annotations"/> count what was skipped.
/// </summary>
internal sealed record PiximiLabels(IReadOnlyList<PiximiItem> Items, IReadOnlyList<string> ClassNames, int Unlabelled, int Predictions, int Annotations);

public sealed partial class PiximiProject
{
    /// <summary>
    /// What the dataset yields, with every image's pixel data read and checked as loading reads it (missing,
    /// damaged or wrongly sized chunks, values that are not pixels), so that validation refuses what the workers
    /// would fail on. Keeps no pixels. Throws <see cref="DatasetException"/> listing every bad image.
    /// </summary>
    internal static DatasetCheck Check(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var project = Open(spec.Images);
        return project.ReadImages(project.Labels(spec.IncludeInference), spec, keepPixels: false).Check;
    }

    /// <summary>Every labelled image of the project at one size (see the class remarks for which size).</summary>
    internal static LabelledImages Read(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var project = Open(spec.Images);
        var (check, images) = project.ReadImages(project.Labels(spec.IncludeInference), spec, keepPixels: true);
        return images! with { Skipped = check.SkippedImages };
    }

    internal PiximiLabels Labels(bool includeInference)
    {
        // Categories: parallel lists. Classes are the known categories of kind Image, in this order.
        var categoryAttrs = Attributes("project/categories");
        var ids = TextList(categoryAttrs, "category_id", "project/categories")
            ?? throw new DatasetException($"{Path}: project/categories/.zattrs has no category_id list.");
        var names = TextList(categoryAttrs, "name", "project/categories") ?? [.. ids];
        var kinds = TextList(categoryAttrs, "kind", "project/categories");
        if (names.Count != ids.Count || (kinds is not null && kinds.Count != ids.Count))
            throw new DatasetException($"{Path}: project/categories/.zattrs: category_id, name and kind have different lengths ({ids.Count}, {names.Count}, {kinds?.Count}).");

        // Unknown categories: each kind's unknown_category_id; without a kinds group, Piximi's convention (ids of
        // unknown categories start with "0").
        var unknownList = TextList(Attributes("project/kinds"), "unknown_category_id", "project/kinds");
        bool IsUnknown(string id) => unknownList is not null ? unknownList.Contains(id) : id.StartsWith('0');

        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var classNames = new List<string>();
        var known = new HashSet<string>(ids, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (IsUnknown(ids[i]) || (kinds is not null && kinds[i] != ImageKind)) continue;
            classIndex[ids[i]] = classNames.Count;
            classNames.Add(names[i]);
        }

        var thingNames = TextList(Attributes("project/things"), "thing_names", "project/things") ?? ThingFolders();
        var items = new List<PiximiItem>();
        int unlabelled = 0, predictions = 0, annotations = 0;
        foreach (var name in thingNames)
        {
            var folder = $"project/things/{name}";
            var attrs = Attributes(folder) ?? throw new DatasetException($"{Path}: {folder}: the thing '{name}' has no .zattrs.");
            if ((Text(attrs, "kind") ?? ImageKind) != ImageKind)
            {
                annotations++;
                continue;
            }
            var category = Text(attrs, "class_category_id");
            if (category is null || IsUnknown(category))
            {
                unlabelled++;
                continue;
            }
            if (!classIndex.TryGetValue(category, out var label))
            {
                if (!known.Contains(category))
                    throw new DatasetException($"{Path}: {folder}: image '{name}' has class_category_id '{category}', which is not among the project's categories.");
                unlabelled++; // a category of another kind: not a class of the image classifier
                continue;
            }
            if (string.Equals(Text(attrs, "classifier_partition"), "Inference", StringComparison.OrdinalIgnoreCase) && !includeInference)
            {
                predictions++;
                continue;
            }

            var info = ArrayInfo($"{folder}/{name}");
            var shape = info.Shape;
            var (planes, height, width, channels) = shape.Length switch
            {
                4 => (shape[0], shape[1], shape[2], shape[3]),
                3 => (1, shape[0], shape[1], shape[2]),
                _ => throw new DatasetException($"{Path}: {folder}/{name}: shape [{string.Join(", ", shape)}]; an image is [planes, height, width, channels]."),
            };
            if (planes < 1 || height < 1 || width < 1 || channels is < 1 or > 4)
                throw new DatasetException($"{Path}: {folder}/{name}: shape [{string.Join(", ", shape)}] is not an image of 1 to 4 channels.");
            var activePlane = (int)(Number(attrs, "active_plane") ?? 0);
            if (activePlane < 0 || activePlane >= planes) activePlane = 0;
            items.Add(new PiximiItem(name, label, planes, height, width, channels, activePlane, Number(Attributes($"{folder}/{name}"), "bit_depth")));
        }

        var result = new PiximiLabels(items, classNames, unlabelled, predictions, annotations);
        Check(result, includeInference);
        return result;
    }

    private List<string> ThingFolders() =>
        [.. _entries.Keys.Where(k => k.StartsWith("project/things/", StringComparison.Ordinal) && k.EndsWith("/.zgroup", StringComparison.Ordinal))
            .Select(k => k["project/things/".Length..^"/.zgroup".Length]).Where(k => !k.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private void Check(PiximiLabels labels, bool includeInference)
    {
        if (labels.Items.Count == 0)
        {
            var skipped = $"{labels.Unlabelled} image(s) of unknown category";
            if (labels.Predictions > 0)
                skipped += $", {labels.Predictions} prediction(s) in the Inference partition" + (includeInference ? "" : " (include_inference: true would train on them)");
            throw new DatasetException($"{Path}: no labelled images ({skipped}); label images in Piximi first.");
        }
        if (labels.ClassNames.Count < 2)
            throw new DatasetException($"{Path}: the project has {labels.ClassNames.Count} known image categor{(labels.ClassNames.Count == 1 ? "y" : "ies")}; a classifier needs at least 2.");
        var counts = new int[labels.ClassNames.Count];
        foreach (var item in labels.Items) counts[item.Label]++;
        var few = Enumerable.Range(0, counts.Length).Where(i => counts[i] < 2)
            .Select(i => $"'{labels.ClassNames[i]}' has {counts[i]}").ToList();
        if (few.Count > 0)
            throw new DatasetException($"{Path}: every class needs at least 2 labelled images, but {string.Join(", ", few)}; label more, or delete the category in Piximi.");
        var channels = labels.Items.Select(i => i.Channels).Distinct().ToList();
        if (channels.Count > 1)
        {
            var odd = labels.Items.First(i => i.Channels != labels.Items[0].Channels);
            throw new DatasetException($"{Path}: images have different channel counts ('{labels.Items[0].Name}' {labels.Items[0].Channels}, '{odd.Name}' {odd.Channels}); a classifier needs one.");
        }
    }

    /// <summary>
    /// The pixel pass: each labelled image's active plane, channels first, resized to the input shape (kept only
    /// with <paramref name="keepPixels"/>). Bad images are listed all at once, or skipped with the spec's
    /// <see cref="DatasetSpec.SkipBadImages"/>.
    /// </summary>
    internal (DatasetCheck Check, LabelledImages? Images) ReadImages(PiximiLabels labels, DatasetSpec spec, bool keepPixels)
    {
        var channels = labels.Items[0].Channels;
        var (height, width) = TargetSize(labels, spec);
        var size = channels * height * width;
        var pixels = new List<float[]>(keepPixels ? labels.Items.Count : 0);
        var kept = new List<PiximiItem>(labels.Items.Count);
        var bad = new List<BadImage>();
        foreach (var item in labels.Items)
        {
            float[] image;
            try
            {
                image = Pixels(item);
            }
            catch (BadPixelsException e)
            {
                bad.Add(new BadImage($"image '{item.Name}' ({e.Key})", e.Message));
                continue;
            }
            kept.Add(item);
            if (!keepPixels) continue;
            var resized = new float[size];
            ImageResize.CropAndResize(image, channels, item.Height, item.Width, resized, height, width);
            pixels.Add(resized);
        }
        if (bad.Count > 0)
        {
            if (!spec.SkipBadImages)
                throw new DatasetException(new RefusedImages(Path,
                    "images whose pixel data is in the project zip, readable, the size its .zarray gives, with values from 0 to 1 (or to 2^bit_depth − 1)", bad));
            // Skipping may leave a class short: check again on what is left.
            Check(labels with { Items = kept }, spec.IncludeInference);
        }
        var check = new DatasetCheck(ImageDataset.CheckSubset(spec, kept.Count), new InputShape(height, width, channels),
            labels.ClassNames, bad, bad.Count, []);
        if (!keepPixels) return (check, null);
        var all = new float[checked(pixels.Count * size)];
        for (var i = 0; i < pixels.Count; i++) pixels[i].CopyTo(all, i * size);
        return (check, new LabelledImages(all, [.. kept.Select(k => (long)k.Label)], height, width, channels, labels.ClassNames));
    }

    private (int Height, int Width) TargetSize(PiximiLabels labels, DatasetSpec spec)
    {
        if (spec.InputShape is { } shape) return (shape.Height, shape.Width);
        if (ReadSettingsOrNull()?.InputShape is { } own) return (own.Height, own.Width);
        var sizes = labels.Items.Select(i => (i.Height, i.Width)).Distinct().ToList();
        if (sizes.Count == 1) return sizes[0];
        throw new DatasetException(
            $"{Path}: the images have different sizes ({string.Join(", ", sizes.Take(3).Select(s => $"{s.Height}×{s.Width}"))}{(sizes.Count > 3 ? ", …" : "")}) "
            + "and the project has no classifier input shape; set dataset.input_shape.");
    }

    /// <summary>One bad image's pixel data: <see cref="Key"/> is the file inside the zip, the message says what is wrong.</summary>
    private sealed class BadPixelsException(string key, string message) : Exception(message)
    {
        public string Key { get; } = key;
    }

    /// <summary>The image's active plane, [channels, height, width] in [0, 1]; throws <see cref="BadPixelsException"/>.</summary>
    private float[] Pixels(PiximiItem item)
    {
        var folder = $"project/things/{item.Name}/{item.Name}";
        ZarrArrayInfo info;
        try
        {
            info = ArrayInfo(folder);
        }
        catch (DatasetException)
        {
            throw new BadPixelsException($"{folder}/.zarray", "its array description is missing or unreadable");
        }
        var key = $"{folder}/{info.ChunkKey}";
        if (!_entries.TryGetValue(key, out var entry))
            throw new BadPixelsException(key, "its pixel data is missing from the zip");
        byte[] bytes;
        try
        {
            using var stream = entry.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // .NET's own words here (e.g. "unsupported compression method") mislead: the entry is damaged.
            throw new BadPixelsException(key, "its pixel data cannot be read: the zip entry is damaged (the project file is corrupt or truncated)");
        }
        double[] values;
        try
        {
            values = info.Decode(bytes);
        }
        catch (FormatException e)
        {
            throw new BadPixelsException(key, $"its pixel data is not a {item.Height}×{item.Width}×{item.Channels} image: {e.Message}");
        }
        var (h, w, c) = (item.Height, item.Width, item.Channels);
        var plane = (long)item.ActivePlane * h * w * c;
        var max = 0.0;
        for (long i = plane; i < plane + h * w * c; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v) || v < 0)
                throw new BadPixelsException(key, $"pixel value {v.ToString(CultureInfo.InvariantCulture)} is not a number ≥ 0");
            max = Math.Max(max, v);
        }
        // Piximi stores 0–1; raw values (above 1) are rescaled by the bit depth, as Piximi's rescale does.
        var scale = 1.0;
        if (max > 1)
        {
            var full = item.BitDepth is { } bits && bits is >= 1 and <= 32 ? Math.Pow(2, bits) - 1 : 0;
            if (full < max)
                throw new BadPixelsException(key, $"pixel values reach {max.ToString(CultureInfo.InvariantCulture)}, above 1 and above what bit_depth {item.BitDepth?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} allows");
            scale = 1 / full;
        }
        // [height, width, channels] → [channels, height, width].
        var image = new float[c * h * w];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var ch = 0; ch < c; ch++)
                    image[ch * h * w + y * w + x] = (float)(values[plane + ((long)y * w + x) * c + ch] * scale);
        return image;
    }
}
