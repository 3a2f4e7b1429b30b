using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

/// <summary>
/// Decoded datasets kept on disk, in a folder beside the store, so that a worker (a replacement above all) maps the
/// images it trains on instead of decoding them again: the decoded pixels and labels as raw tensors, opened with
/// <c>torch.from_file</c> (a private, read-only mapping: workers on one machine share the pages, nothing is copied).
/// <para>
/// An entry is keyed by the dataset spec as the worker reads it (paths mapped, subset, input shape, classes, …) and by
/// the size and modification time of every file it reads, so a changed, added or removed file makes a new key and
/// the data is decoded again; the entries of the same spec with an older key are then deleted. An entry is written
/// under temporary names, flushed to disk, and its metadata renamed into place last: a file that is there is whole,
/// and its sizes are checked against the metadata before use. The cache only ever saves time: a failure to read or
/// write it (a read-only folder, a full disk) falls back to decoding.
/// </para>
/// </summary>
public static class DatasetCache
{
    /// <summary>Raised with the layout of an entry, so that a new build never reads an older build's entries.</summary>
    private const int Version = 1;

    /// <summary>
    /// The dataset of <paramref name="spec"/>, from the cache in <paramref name="folder"/> when an entry for it and its
    /// files as they are now is there, else decoded (<see cref="ImageDataset.Load(DatasetSpec)"/>) and then cached.
    /// </summary>
    /// <exception cref="DatasetException">The dataset cannot be read (as <see cref="ImageDataset.Load(DatasetSpec)"/>).</exception>
    public static ImageDataset Load(DatasetSpec spec, string folder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (Key(spec) is not var (family, key)) return ImageDataset.Load(spec);
        var entry = Path.Combine(folder, $"{family}-{key}");
        if (TryOpen(entry) is { } cached) return cached;
        var dataset = ImageDataset.Load(spec);
        TryWrite(folder, family, entry, dataset);
        return dataset;
    }

    /// <summary>
    /// The spec's part of the key and the files' part, each a hash; null when a file the spec names is missing (then
    /// loading says what is wrong).
    /// </summary>
    private static (string Family, string Key)? Key(DatasetSpec spec)
    {
        var files = new List<string> { spec.Images };
        if (spec.Labels is { } labels) files.Add(labels);
        if (Directory.Exists(spec.Images))
        {
            files = [.. Directory.EnumerateFiles(spec.Images, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        }
        var state = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            if (!info.Exists) return null;
            state.Append(file).Append('\0').Append(info.Length).Append('\0').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return (Hash($"{Version}\n{JsonSerializer.Serialize(spec)}"), Hash(state.ToString()));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    private sealed record Entry(int Version, int Count, int Channels, int Height, int Width, IReadOnlyList<string> Classes, long ImageBytes, long LabelBytes);

    private static ImageDataset? TryOpen(string entry)
    {
        try
        {
            if (!File.Exists(entry + ".json")) return null;
            var meta = JsonSerializer.Deserialize<Entry>(File.ReadAllText(entry + ".json"));
            if (meta is null || meta.Version != Version
                || new FileInfo(entry + ".images").Length != meta.ImageBytes || new FileInfo(entry + ".labels").Length != meta.LabelBytes
                || meta.ImageBytes != (long)meta.Count * meta.Channels * meta.Height * meta.Width * sizeof(float) || meta.LabelBytes != (long)meta.Count * sizeof(long))
                return null;
            TorchRuntime.EnsureNativeReady();
            var images = torch.from_file(entry + ".images", shared: false, size: meta.ImageBytes / sizeof(float), dtype: ScalarType.Float32);
            var labels = torch.from_file(entry + ".labels", shared: false, size: meta.Count, dtype: ScalarType.Int64);
            return ImageDataset.FromTensors(images.reshape(meta.Count, meta.Channels, meta.Height, meta.Width), labels, meta.Classes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or System.Runtime.InteropServices.ExternalException)
        {
            return null; // unreadable: decode instead (and write it anew)
        }
    }

    private static void TryWrite(string folder, string family, string entry, ImageDataset dataset)
    {
        var temporary = $"{entry}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(folder);
            var meta = new Entry(Version, dataset.Count, dataset.Channels, dataset.Height, dataset.Width, dataset.ClassNames,
                (long)dataset.Count * dataset.Channels * dataset.Height * dataset.Width * sizeof(float), (long)dataset.Count * sizeof(long));
            Write(temporary + ".images", dataset.Images);
            Write(temporary + ".labels", dataset.Labels);
            File.WriteAllText(temporary + ".json", JsonSerializer.Serialize(meta));
            // The data first, the metadata last: whoever finds the metadata finds the data whole.
            File.Move(temporary + ".images", entry + ".images", overwrite: true);
            File.Move(temporary + ".labels", entry + ".labels", overwrite: true);
            File.Move(temporary + ".json", entry + ".json", overwrite: true);
            // Entries of the same spec over files that have changed since can never be read again.
            foreach (var stale in Directory.EnumerateFiles(folder, $"{family}-*").Where(f => !f.StartsWith(entry + ".", StringComparison.Ordinal)))
                File.Delete(stale);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var part in new[] { ".images", ".labels", ".json" })
            {
                try
                {
                    File.Delete(temporary + part);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                    // Left behind: a *.tmp file, never read.
                }
            }
        }
    }

    private static void Write(string path, Tensor tensor)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var contiguous = tensor.contiguous();
        stream.Write(contiguous.bytes);
        stream.Flush(flushToDisk: true);
    }
}
