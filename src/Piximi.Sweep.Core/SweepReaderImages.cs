using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

// dataset: kind: folder (images: is a folder of <class name>/<image> files) and input_shape:, in their own file so
// that ReadDataset, which other dataset kinds extend too, changes by a few lines only.
internal sealed partial class SweepReader
{
    private static readonly string[] InputShapeKeys = ["height", "width", "channels", "planes"];

    /// <summary>No model takes fewer pixels a side than SimpleCNN (<see cref="ModelInputs"/>); each model's own minimum is checked against the data's shape.</summary>
    internal const int MinimumInputSide = ModelInputs.SimpleCnnMinimumSide;

    /// <summary>Larger sides would hold thousands of images only in tens of gigabytes.</summary>
    internal const int MaximumInputSide = 1024;

    private const string FolderExpected = "a folder of <class name>/<image> files (.png, .jpg, .jpeg, .tif, .tiff)";
    private const string InputShapeAllowed = "a mapping such as {height: 28, width: 28, channels: 1}";

    private static readonly string SideAllowed =
        $"a whole number from {MinimumInputSide} to {MaximumInputSide} (SimpleCNN needs at least {MinimumInputSide}×{MinimumInputSide}; Piximi's own minimum is 20×20)";

    private const string ChannelsAllowed = "a whole number from 1 to 4";

    /// <summary><c>images:</c> of a folder dataset: an existing folder, resolved against the sweep file's folder.</summary>
    private (string Path, YNode Node)? ReadDatasetFolder(Dictionary<string, YEntry> keys, YMapping dataset)
    {
        const string field = "dataset.images";
        if (!keys.TryGetValue("images", out var entry))
        {
            _errors.Add(dataset, field, $"missing; expected {FolderExpected}");
            return null;
        }
        if (RequireScalar(entry.Value, field, $"the path of {FolderExpected}") is not { } scalar) return null;
        var written = scalar.Text.Trim();
        var full = ResolvePath(written);
        var how = Path.IsPathRooted(written) || IsHomeRelative(written) ? "" : $" (written '{written}', relative to {_folder})";
        var kind = _files.Kind(full);
        if (kind == PathKind.File)
        {
            _errors.Add(scalar, field, $"{full} is a file{how}; allowed: {FolderExpected}");
            return null;
        }
        if (kind != PathKind.Folder)
        {
            _errors.Add(scalar, field, $"folder not found: {full}{how}; allowed: {FolderExpected}");
            return null;
        }
        return (full, scalar);
    }

    /// <summary>A folder dataset's labels are its sub-folders' names: a <c>labels:</c> key is a mistake.</summary>
    private bool RefuseLabels(Dictionary<string, YEntry> keys)
    {
        if (!keys.TryGetValue("labels", out var entry)) return true;
        _errors.Add(entry.Key, "dataset.labels", "kind: folder takes no labels file: each image's class is the name of its sub-folder; allowed: no labels: key");
        return false;
    }

    /// <summary>
    /// <c>input_shape: {height, width, channels}</c> (and optionally <c>planes: 1</c>). Null after reporting a problem,
    /// or when absent (which a folder dataset refuses: its images may differ in size). IDX images are grey: 1 channel.
    /// </summary>
    private (InputShape? Shape, bool Ok) ReadInputShape(Dictionary<string, YEntry> keys, YMapping dataset, string? kind)
    {
        const string field = "dataset.input_shape";
        if (!keys.TryGetValue("input_shape", out var entry))
        {
            if (kind != DatasetSpec.Folder) return (null, true);
            _errors.Add(dataset, field, $"missing; a folder's images may differ in size, so every image is resized to it; allowed: {InputShapeAllowed}");
            return (null, false);
        }
        if (RequireMapping(entry.Value, field, InputShapeAllowed) is not { } mapping) return (null, false);
        var shapeKeys = ReadKeys(mapping, field, InputShapeKeys);
        var ok = true;
        int Whole(string key, long min, long max, string allowed)
        {
            if (!shapeKeys.TryGetValue(key, out var e))
            {
                _errors.Add(mapping, $"{field}.{key}", $"missing; allowed: {allowed}");
                ok = false;
                return 0;
            }
            if (RequireScalar(e.Value, $"{field}.{key}", allowed) is { } s && ReadWhole(s, $"{field}.{key}", min, max, allowed, out var v)) return v;
            ok = false;
            return 0;
        }
        var height = Whole("height", MinimumInputSide, MaximumInputSide, SideAllowed);
        var width = Whole("width", MinimumInputSide, MaximumInputSide, SideAllowed);
        var channels = Whole("channels", 1, 4, ChannelsAllowed);
        if (shapeKeys.TryGetValue("planes", out var planesEntry)
            && RequireScalar(planesEntry.Value, $"{field}.planes", "1") is { } planes
            && planes.Text.Trim() != "1")
        {
            _errors.Add(planes, $"{field}.planes", $"'{planes.Text.Trim()}' planes: images with several planes (z-stacks) are not supported; allowed: 1");
            ok = false;
        }
        if (ok && kind == DatasetSpec.Idx && channels != 1)
        {
            _errors.Add(shapeKeys["channels"].Value, $"{field}.channels", $"IDX images are grey (1 channel), not {channels}; allowed: 1");
            ok = false;
        }
        return ok ? (new InputShape(height, width, channels), true) : (null, false);
    }
}
