using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;

namespace Piximi.Sweep.Training.Tests.Piximi;

/// <summary>One thing of a project: an image (or an annotation) with its category, partition and pixels [planes, h, w, c].</summary>
internal sealed record TestThing(string Name, string CategoryId, string Partition, float[] Data, int Height, int Width, int Channels)
{
    public string Kind { get; init; } = "Image";
    public int Planes { get; init; } = 1;
    public int ActivePlane { get; init; }
    public int BitDepth { get; init; } = 8;
}

/// <summary>
/// Writes a saved Piximi project as PIXIMI.md describes it (Piximi 1.1.4): a zip holding one folder
/// <c>&lt;name&gt;.zarr/</c>, Zarr v2 groups with <c>.zgroup</c>/<c>.zattrs</c>, image arrays with <c>.zarray</c> and one
/// uncompressed little-endian chunk <c>0.0.0.0</c>, the categories, kinds and classifier settings as attributes.
/// </summary>
internal sealed class PiximiProjectBuilder
{
    public const string UnknownImageCategory = "00000000-0000-0000-0000-000000000000";
    public const string UnknownNucleusCategory = "00000000-0000-0000-0000-000000000001";

    public string Name { get; init; } = "cells";
    public string? Version { get; set; } = "1.1.4";

    /// <summary>(id, name, kind) in the project's order, the unknown ones included.</summary>
    public List<(string Id, string Name, string Kind)> Categories { get; } =
    [
        (UnknownImageCategory, "Unknown", "Image"),
        ("6c1f3d0e-a", "healthy", "Image"),
        ("9b2e4f1a-b", "infected", "Image"),
        (UnknownNucleusCategory, "Unknown", "Nucleus"),
        ("4d5e6f70-c", "round", "Nucleus"),
    ];

    public List<TestThing> Things { get; } = [];

    public bool WithClassifier { get; set; } = true;
    public string Optimizer { get; set; } = "Adam";
    public string Loss { get; set; } = "Categorical (softmax) cross entropy";
    public double LearningRate { get; set; } = 0.01;
    public int BatchSize { get; set; } = 32;
    public int Epochs { get; set; } = 10;
    public double TrainingPercent { get; set; } = 0.75;
    public int[] InputShape { get; set; } = [1, 4, 5, 1];

    /// <summary>Pixel i of image <paramref name="seed"/>: distinct, exactly representable values in [0, 1].</summary>
    public static float[] Pattern(int seed, int height, int width, int channels, int planes = 1) =>
        [.. Enumerable.Range(0, planes * height * width * channels).Select(i => ((seed * 37 + i * 11) % 256) / 256f)];

    public TestThing Image(string name, string categoryId, string partition, int height = 4, int width = 5, int channels = 1, int seed = 0) =>
        new(name, categoryId, partition, Pattern(seed, height, width, channels), height, width, channels);

    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        var root = $"{Name}.zarr/";
        void Json(string key, object value) => Entry(zip, root + key, JsonSerializer.SerializeToUtf8Bytes(value));
        void Group(string folder, object attrs)
        {
            Json((folder.Length == 0 ? "" : folder + "/") + ".zgroup", new { zarr_format = 2 });
            Json((folder.Length == 0 ? "" : folder + "/") + ".zattrs", attrs);
        }
        void Array(string folder, int[] shape, string dtype, byte[] data, object? attrs)
        {
            Json($"{folder}/.zarray", new Dictionary<string, object?>
            {
                ["chunks"] = shape, ["compressor"] = null, ["dtype"] = dtype, ["fill_value"] = 0, ["filters"] = null,
                ["order"] = "C", ["shape"] = shape, ["zarr_format"] = 2,
            });
            if (attrs is not null) Json($"{folder}/.zattrs", attrs);
            Entry(zip, $"{root}{folder}/{string.Join('.', shape.Select(_ => "0"))}", data);
        }

        Group("", Version is null ? new Dictionary<string, object>() : new Dictionary<string, object> { ["version"] = Version });
        Group("project", new { name = Name, imageChannels = Things.FirstOrDefault()?.Channels ?? 1 });
        Group("project/things", new { thing_names = Things.Select(t => t.Name).ToArray() });
        foreach (var (thing, i) in Things.Select((t, i) => (t, i)))
        {
            var folder = $"project/things/{thing.Name}";
            Group(folder, new Dictionary<string, object>
            {
                ["thing_id"] = $"thing-{i}", ["active_plane"] = thing.ActivePlane, ["class_category_id"] = thing.CategoryId,
                ["classifier_partition"] = thing.Partition, ["kind"] = thing.Kind, ["contents"] = System.Array.Empty<string>(),
            });
            var bytes = new byte[thing.Data.Length * 4];
            for (var p = 0; p < thing.Data.Length; p++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(p * 4), thing.Data[p]);
            Array($"{folder}/{thing.Name}", [thing.Planes, thing.Height, thing.Width, thing.Channels], "<f4", bytes, new { bit_depth = thing.BitDepth });
        }
        var kinds = Categories.Select(c => c.Kind).Distinct().ToArray();
        Group("project/kinds", new Dictionary<string, object>
        {
            ["kind_id"] = kinds,
            ["display_name"] = kinds,
            ["contents"] = kinds.Select(k => Things.Where(t => t.Kind == k).Select(t => t.Name).ToArray()).ToArray(),
            ["categories"] = kinds.Select(k => Categories.Where(c => c.Kind == k).Select(c => c.Id).ToArray()).ToArray(),
            ["unknown_category_id"] = kinds.Select(k => Categories.First(c => c.Kind == k && c.Id.StartsWith('0')).Id).ToArray(),
        });
        Group("project/categories", new Dictionary<string, object>
        {
            ["category_id"] = Categories.Select(c => c.Id).ToArray(),
            ["name"] = Categories.Select(c => c.Name).ToArray(),
            ["color"] = Categories.Select((_, i) => $"#{i * 40:x2}8040").ToArray(),
            ["kind"] = Categories.Select(c => c.Kind).ToArray(),
            ["contents"] = Categories.Select(c => Things.Where(t => t.CategoryId == c.Id).Select(t => t.Name).ToArray()).ToArray(),
        });
        if (!WithClassifier) return;
        Group("classifier", new { classifier_kinds = new[] { "Image" } });
        Group("classifier/Image", new { models = new[] { "SimpleCNN" } });
        Group("classifier/Image/SimpleCNN", new { });
        Group("classifier/Image/SimpleCNN/model_info", new { class_map = System.Array.Empty<object>(), eval_results = System.Array.Empty<object>() });
        Group("classifier/Image/SimpleCNN/model_info/optimizer_settings", new Dictionary<string, object>
        {
            ["epochs"] = Epochs, ["batch_size"] = BatchSize, ["optimization_algorithm"] = Optimizer,
            ["learning_rate"] = LearningRate, ["loss_function"] = Loss, ["metrics"] = new[] { "Categorical accuracy" },
        });
        var pre = "classifier/Image/SimpleCNN/model_info/preprocessing_settings";
        Group(pre, new { shuffle_B = 1, training_percent = TrainingPercent });
        var shape = new byte[16];
        for (var d = 0; d < 4; d++) BinaryPrimitives.WriteInt32LittleEndian(shape.AsSpan(d * 4), InputShape[d]);
        Array($"{pre}/input_shape", [4], "<i4", shape, attrs: null);
        Group($"{pre}/crop_options", new { crop_schema = "None", num_crops = 1 });
        Group($"{pre}/rescale_options", new { center_B = 0, rescale_B = 1 });
    }

    private static void Entry(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        entry.Write(bytes);
    }
}
