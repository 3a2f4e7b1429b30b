using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Piximi;

/// <summary>
/// A saved Piximi project (<c>&lt;name&gt;.zip</c> holding one Zarr v2 group, as Piximi 1.1 writes it; see
/// PIXIMI.md), read without Piximi:
/// <list type="bullet">
/// <item>the root group's <c>version</c> attribute is the Piximi version that saved it. Versions from 0.2 up to 1.x
/// that have the <c>project/things</c> and <c>project/categories</c> groups are read; anything else (0.1's older layout,
/// 2.x and later, no version, another layout) is refused naming the version found.</item>
/// <item>images are the things of kind <c>Image</c>; each is labelled by its <c>class_category_id</c> unless that is its
/// kind's unknown category (<c>project/kinds</c> <c>unknown_category_id</c>). Items in the <c>Inference</c> partition
/// with a known category are Piximi's predictions, not labels, and are skipped unless <c>include_inference</c>.
/// Piximi's own Training/Validation/Unassigned partitions are not kept: every labelled image goes into the pool
/// that each trial splits by training percentage with its seed.</item>
/// <item>classes are the known categories of kind <c>Image</c>, in the project's category order; each needs at least
/// 2 labelled images.</item>
/// <item>pixels: each thing's array <c>[planes, height, width, channels]</c> (float32, 0–1); the thing's
/// <c>active_plane</c> (0 if absent) is used. Values above 1 (raw values) are divided by 2^<c>bit_depth</c> − 1.</item>
/// <item>input shape: the dataset's <c>input_shape</c>, else the project's classifier input shape (its height and
/// width; channels are the images'), else the images' own size when they all share one.</item>
/// </list>
/// Every problem is a <see cref="DatasetException"/> whose message starts with the file's path.
/// </summary>
public sealed partial class PiximiProject : IDisposable
{
    private const string ImageKind = "Image";
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private PiximiProject(string path, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string version)
    {
        Path = path;
        _zip = zip;
        _entries = entries;
        Version = version;
    }

    /// <summary>The project file's full path.</summary>
    public string Path { get; }

    /// <summary>The Piximi version that saved the project (the root group's <c>version</c>).</summary>
    public string Version { get; }

    /// <summary>Opens the zip and checks its version and layout; reads no pixels.</summary>
    public static PiximiProject Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new DatasetException($"{full}: is a folder; a Piximi project is the .zip Piximi saves.");
        if (!File.Exists(full)) throw new DatasetException($"{full}: file not found (a Piximi project .zip).");
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(full);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{full}: not a readable zip file (corrupt or truncated?): {e.Message}");
        }
        try
        {
            // The Zarr root is the shallowest folder with a .zgroup (Piximi: "<name>.zarr/"); keys are relative to it.
            var groups = zip.Entries.Where(e => e.FullName == ".zgroup" || e.FullName.EndsWith("/.zgroup", StringComparison.Ordinal)).ToList();
            if (groups.Count == 0)
                throw new DatasetException($"{full}: no Zarr group inside (no .zgroup file); not a Piximi project.");
            var root = groups.Select(e => e.FullName[..^".zgroup".Length]).OrderBy(p => p.Count(c => c == '/')).ThenBy(p => p, StringComparer.Ordinal).First();
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(root, StringComparison.Ordinal) && e.FullName.Length > root.Length))
                entries[entry.FullName[root.Length..]] = entry;

            var project = new PiximiProject(full, zip, entries, version: "");
            var version = project.RootVersion();
            project = new PiximiProject(full, zip, entries, version);
            project.CheckLayout();
            return project;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    public void Dispose() => _zip.Dispose();

    // ----- version and layout -----

    private string RootVersion()
    {
        var attrs = Attributes("");
        if (attrs is not { } a || !a.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            throw new DatasetException($"{Path}: no Piximi version in the root group's .zattrs (found: none); not a project Piximi saved, or saved by a version this tool does not know.");
        return v.GetString()!.Trim();
    }

    private void CheckLayout()
    {
        var hasLayout = Exists("project/things/.zgroup") || Exists("project/things/.zattrs");
        hasLayout &= Exists("project/categories/.zattrs");
        var parsed = ParseVersion(Version);
        if (parsed is null)
            throw new DatasetException($"{Path}: saved by Piximi version '{Version}', which is not a version number; refused.");
        var (major, minor) = parsed.Value;
        if (major >= 2)
            throw new DatasetException($"{Path}: saved by Piximi {Version}; this tool reads projects of Piximi 0.2 to 1.x (things/categories layout), not {Version}'s.");
        if (major == 0 && minor < 2 && !hasLayout)
            throw new DatasetException($"{Path}: saved by Piximi {Version}, whose layout (images and annotations groups) is not read; open it in Piximi 1.1 or later and save it again.");
        if (!hasLayout)
            throw new DatasetException($"{Path}: saved by Piximi {Version}, but without the project/things and project/categories groups this tool reads; refused.");
    }

    private static (int Major, int Minor)? ParseVersion(string version)
    {
        var text = version.TrimStart('v', 'V', '=');
        var parts = text.Split('.', 3);
        return parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? (major, minor)
            : null;
    }

    // ----- zip and zarr access -----

    private bool Exists(string key) => _entries.ContainsKey(key);

    private byte[]? Bytes(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) return null;
        try
        {
            using var stream = entry.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DatasetException($"{Path}: {entry.FullName} cannot be read (corrupt or truncated zip?): {e.Message}");
        }
    }

    /// <summary>A group's or array's attributes (its <c>.zattrs</c>), or null when it has none.</summary>
    private JsonElement? Attributes(string folder)
    {
        var key = folder.Length == 0 ? ".zattrs" : $"{folder}/.zattrs";
        if (Bytes(key) is not { } bytes) return null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{Path}: {key} is not valid JSON: {e.Message}");
        }
    }

    private ZarrArrayInfo ArrayInfo(string folder)
    {
        var bytes = Bytes($"{folder}/.zarray") ?? throw new DatasetException($"{Path}: {folder}: no array there (no .zarray).");
        try
        {
            return ZarrArrayInfo.Parse(System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw new DatasetException($"{Path}: {folder}/.zarray: unsupported or malformed: {e.Message}");
        }
    }

    private double[] ArrayValues(string folder, ZarrArrayInfo info)
    {
        var bytes = Bytes($"{folder}/{info.ChunkKey}") ?? throw new DatasetException($"{Path}: {folder}: its data chunk {info.ChunkKey} is missing.");
        try
        {
            return info.Decode(bytes);
        }
        catch (FormatException e)
        {
            throw new DatasetException($"{Path}: {folder}/{info.ChunkKey}: {e.Message}");
        }
    }

    private static string? Text(JsonElement? attrs, string key) =>
        attrs is { } a && a.ValueKind == JsonValueKind.Object && a.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement? attrs, string key) =>
        attrs is { } a && a.ValueKind == JsonValueKind.Object && a.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private List<string>? TextList(JsonElement? attrs, string key, string where)
    {
        if (attrs is not { } a || a.ValueKind != JsonValueKind.Object || !a.TryGetProperty(key, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new DatasetException($"{Path}: {where}/.zattrs: {key} is not a list.");
        return [.. v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString())];
    }
}
